//! The training module's messages (Chinese first, English second).

messages! {
    TrainingMsg;
    Title => "培训", "Training";
}
