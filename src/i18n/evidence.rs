//! Messages of evidence photos (证据照片): taking, attaching, showing and uploading them.

messages! {
    EvidenceMsg;
    Photos => "证据照片", "Evidence photos";
    TakePhoto => "拍照/选择照片", "Take or choose a photo";
    Processing => "正在处理照片…", "Processing the photo…";
    Remove => "移除", "Remove";
    Attached => "将随本次记录保存的照片：", "Photos saved with this record: ";
    NotImage => "所选文件不是可识别的图片，未添加。请拍照或选择 JPEG/PNG 照片。", "The chosen file is not an image this device can read; nothing was added. Take a photo or choose a JPEG/PNG picture.";
    TooBig => "照片压缩后仍然过大（超过 4 MB），未添加。请换一张照片。", "The photo is still too large after resizing (over 4 MB); nothing was added. Choose another photo.";
    TooMany => "每次记录最多附 12 张照片。", "At most 12 photos per record.";
    Duplicate => "这张照片已经添加过了。", "This photo is already attached.";
    NotSynced => "照片尚未同步", "Photo not yet synced";
    Loading => "正在加载照片…", "Loading the photo…";
    StepPhotos => "本步骤的证据照片", "Evidence photos of this step";
    NoPhotos => "本步骤还没有证据照片。", "No evidence photos for this step yet.";
    PendingUploads => "待上传照片", "Photos waiting to upload";
}
