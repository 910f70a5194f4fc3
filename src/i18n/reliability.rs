//! Messages of the reliability features: devices and revoking a lost phone (Chinese first).

messages! {
    DeviceMsg;
    Heading => "设备", "Devices";
    Intro => "曾上传记录的手机和电脑。手机丢失时请停用它：它之后上传的记录会被拒收，它的登录立即失效；已上传的记录保留。",
        "Phones and computers that have uploaded records. Revoke a lost phone: its later uploads are refused and its sessions end at once; what it uploaded stays.";
    None => "还没有设备上传过记录。", "No device has uploaded records yet.";
    Records => "条记录", "records";
    LastSeen => "最近上传", "Last upload";
    Revoked => "已停用", "Revoked";
    Revoke => "停用此设备", "Revoke device";
    ConfirmRevoke => "确认停用？此操作不能撤销", "Confirm: this cannot be undone";
}

messages! {
    BundleMsg;
    Heading => "离线传输", "Transfer without network";
    Intro => "完全没有信号时：把本机待上传的记录导出为传输包文件，用U盘或聊天软件带到有网络的地方，由管理员在服务器导入；也可在另一台设备上导入查看。文件带校验，被改动或不完整会被拒收。",
        "With no signal at all: export this device's records waiting to upload as a bundle file, carry it by USB stick or messaging app, and have the administrator import it on the server; another device can import it too. The file is sealed: an edited or incomplete file is refused.";
    Export => "导出待上传记录", "Export records waiting to upload";
    Import => "导入传输包", "Import a bundle file";
    Exported => "已导出传输包，记录数：", "Bundle exported, records:";
    Nothing => "本机没有待上传的记录。", "This device has no records waiting to upload.";
    Imported => "已导入新记录：", "New records imported:";
    AlreadyHere => "本机已有：", "Already on this device:";
    NotBundle => "这不是村居台账的传输包文件。", "This is not a Cunju bundle file.";
    NotRead => "无法读取所选文件。", "The chosen file could not be read.";
    Failed => "导出失败", "Export failed";
}
