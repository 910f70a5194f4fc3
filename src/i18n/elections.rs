//! The committee elections module's messages (Chinese first, English second).

messages! {
    ElectionMsg;
    Title => "换届选举", "Committee elections";
    KindElectionRoll => "选民登记与计票记录", "Voter roll and tally record";
}
