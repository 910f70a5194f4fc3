//! 罢免 — recall of a committee member (spec §1.7): who may propose it and when the vote
//! succeeds. Integer arithmetic only.
