//! Facts about the application itself that both the app and the server report.

/// The product name in Chinese (first language) and English.
pub const PRODUCT_NAME_ZH: &str = "村居台账";
pub const PRODUCT_NAME_EN: &str = "Cunju";

/// Version of the sync protocol spoken between the app and the server (`/api/v1`).
pub const PROTOCOL_VERSION: u32 = 1;

/// The four modules of the mission, in the order the home screen lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Module {
    /// 换届选举 — village/resident committee election procedures.
    Elections,
    /// 资格审查 — candidate eligibility and the county joint review.
    Eligibility,
    /// 社工津贴 — social-work qualification allowances.
    Allowances,
    /// 培训 — training records.
    Training,
}

impl Module {
    pub const ALL: [Module; 4] = [
        Module::Elections,
        Module::Eligibility,
        Module::Allowances,
        Module::Training,
    ];

    /// Stable route segment used by the app (`/elections`, …).
    pub fn slug(self) -> &'static str {
        match self {
            Module::Elections => "elections",
            Module::Eligibility => "eligibility",
            Module::Allowances => "allowances",
            Module::Training => "training",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_slugs_are_unique() {
        let mut slugs: Vec<_> = Module::ALL.iter().map(|m| m.slug()).collect();
        slugs.sort();
        slugs.dedup();
        assert_eq!(slugs.len(), Module::ALL.len());
    }
}
