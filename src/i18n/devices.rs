//! Messages of the devices screen (lost phones) and the offline transfer screen (传输包).

messages! {
    DevicesMsg;
    Title => "设备管理", "Devices";
    Intro => "辖区内账号使用过的设备。手机丢失时撤销该设备：它之后上传的记录会被拒收，登录立即失效。", "Devices used by the accounts in your area. Revoke a lost phone: its later records are refused and its sessions end at once.";
    NotPermitted => "只有区县管理员可以管理设备。", "Only a district administrator manages devices.";
    Offline => "设备信息保存在服务器上，请联网后查看。", "Devices are kept on the server; connect to see them.";
    None => "还没有设备上传过记录。", "No device has uploaded records yet.";
    Device => "设备", "Device";
    ThisDevice => "本机设备编号", "This device's number";
    FirstSeen => "首次上传", "First upload";
    LastSeen => "最近上传", "Last upload";
    Events => "记录数", "Records";
    Revoked => "已撤销", "Revoked";
    Revoke => "撤销此设备", "Revoke this device";
    RevokeConfirm => "确定撤销此设备吗？撤销后该设备上的登录立即失效，之后上传的记录会被拒收。此操作不能撤回。", "Revoke this device? Its sessions end at once and its later records are refused. This cannot be undone.";
    RevokeYes => "确认撤销", "Yes, revoke";
    Cancel => "取消", "Cancel";
    RevokedDone => "已撤销，结束登录会话数：", "Revoked; sessions ended: ";
    TransferTitle => "离线传输包", "Offline transfer";
    TransferIntro => "没有信号的地方：把本机待上传的记录导出为文件，用U盘或聊天软件带到有网络的电脑，用同一账号登录后导入到服务器。重复导入不会产生重复记录。", "No signal at all: export this device's records waiting to upload as a file, carry it by USB stick or messaging app to a connected computer, log in with the same account and import it. Importing twice creates no duplicates.";
    NavTransfer => "离线传输包（导出/导入）", "Offline transfer (export / import)";
    ExportHeading => "导出本机待上传的记录", "Export this device's records waiting to upload";
    ExportButton => "导出传输包", "Export bundle";
    ExportNothing => "本机没有待上传的记录，不需要导出。", "Nothing waits to upload on this device.";
    ExportDone => "已导出记录条数：", "Records exported: ";
    ExportNeedsLogin => "本机还没有导出签名所需的密钥：请在有网络时重新登录一次，之后离线也能导出。", "This device has no signing key yet: log in once while online; afterwards you can export offline.";
    ExportMore => "一个传输包最多 5000 条；其余记录请上传后再次导出。", "A bundle holds at most 5,000 records; export again for the rest.";
    ImportHeading => "导入传输包到服务器", "Import a bundle to the server";
    ImportChoose => "选择传输包文件（.json）", "Choose a bundle file (.json)";
    ImportOffline => "导入需要联网：请在有网络的地方导入。", "Importing needs a connection: import where there is one.";
    ImportNotBundle => "这个文件不是村居台账的传输包（无法读取）。", "This file is not a Cunju bundle (it cannot be read).";
    ImportNoFile => "请先选择文件。", "Choose a file first.";
    ImportDone => "导入完成", "Import finished";
    Accepted => "新保存", "Stored";
    Duplicates => "已有（未重复保存）", "Already stored (not duplicated)";
    Rejected => "被拒收", "Refused";
    Working => "处理中…", "Working…";
}
