//! Messages of the exports (the `.xlsx` buttons and the export worker behind them) and of the
//! QR scan that uses the worker's decoder where the browser has no `BarcodeDetector`.

messages! {
    ExportMsg;
    DownloadExcel => "下载 Excel", "Download Excel";
    DownloadExcelFinance => "导出财务 Excel（完整号码）", "Finance Excel (full numbers)";
    Preparing => "正在生成 Excel…", "Making the Excel file…";
    WorkerUnavailable => "导出组件未能加载：须联网打开本应用一次以缓存导出组件，之后离线也能导出和扫码。请联网后重试。", "The export component did not load: open the app online once so it is cached; then exports and scans work offline. Connect and try again.";
    Failed => "导出组件出错：", "The export component failed: ";
}
