//! placeholder
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum PostTitle {
    Chair,
    ViceChair,
    WomenMember,
    Member,
}
impl PostTitle {
    pub fn label_zh(self) -> &'static str {
        ""
    }
    pub fn label_en(self) -> &'static str {
        ""
    }
}
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct TallyRules {}
