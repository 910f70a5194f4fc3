//! 结业证书 numbers `{year}-{organiser code}-{class seq}-{serial}` (e.g. `2025-NA-007-012`:
//! class seq and serial zero-padded to 3 digits, wider when larger), issued only on completion.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::completion::Completion;
use super::entities::TrainingClass;
use super::hours::StudyHours;
use crate::ids::EntityId;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertificateError {
    #[error("the organiser code {0:?} must be 1 to 12 capital letters or digits, like NA or 5001")]
    BadOrganiserCode(String),
    #[error("{0:?} is not a certificate number like 2025-NA-007-012")]
    BadNumber(String),
    #[error("a certificate is issued only on completion")]
    NotCompleted,
}

/// A certificate number.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CertificateNumber {
    year: i32,
    organiser_code: String,
    class_seq: u32,
    serial: u32,
}

impl CertificateNumber {
    pub fn new(
        year: i32,
        organiser_code: &str,
        class_seq: u32,
        serial: u32,
    ) -> Result<Self, CertificateError> {
        let valid = (1..=12).contains(&organiser_code.len())
            && organiser_code
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        if !valid {
            return Err(CertificateError::BadOrganiserCode(organiser_code.into()));
        }
        Ok(CertificateNumber {
            year,
            organiser_code: organiser_code.into(),
            class_seq,
            serial,
        })
    }

    pub fn serial(&self) -> u32 {
        self.serial
    }
}

impl fmt::Display for CertificateNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}-{}-{:03}-{:03}",
            self.year, self.organiser_code, self.class_seq, self.serial
        )
    }
}

impl FromStr for CertificateNumber {
    type Err = CertificateError;

    fn from_str(text: &str) -> Result<Self, CertificateError> {
        let bad = || CertificateError::BadNumber(text.into());
        let parts: Vec<&str> = text.split('-').collect();
        let [year, code, seq, serial] = parts[..] else {
            return Err(bad());
        };
        let number = |s: &str| s.parse::<u32>().map_err(|_| bad());
        if year.len() != 4 {
            return Err(bad());
        }
        CertificateNumber::new(
            year.parse().map_err(|_| bad())?,
            code,
            number(seq)?,
            number(serial)?,
        )
    }
}

impl Serialize for CertificateNumber {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for CertificateNumber {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrainingCertificate {
    pub number: CertificateNumber,
    pub person: EntityId,
    pub class: EntityId,
    pub credited: StudyHours,
}

impl TrainingCertificate {
    /// One certificate with the given serial; refused unless the person completed.
    pub fn issue(
        class: &TrainingClass,
        completion: &Completion,
        serial: u32,
    ) -> Result<Self, CertificateError> {
        if !completion.is_completed() {
            return Err(CertificateError::NotCompleted);
        }
        Ok(TrainingCertificate {
            number: CertificateNumber::new(class.year, &class.organiser_code, class.seq, serial)?,
            person: completion.person.clone(),
            class: class.id.clone(),
            credited: completion.hours.credited,
        })
    }
}

/// Certificates for everyone who completed, serials 1, 2, 3 … in the order given (the class
/// list order); those who did not complete get none and use no serial.
pub fn issue_certificates(
    class: &TrainingClass,
    completions: &[Completion],
) -> Result<Vec<TrainingCertificate>, CertificateError> {
    completions
        .iter()
        .filter(|c| c.is_completed())
        .zip(1..)
        .map(|(c, serial)| TrainingCertificate::issue(class, c, serial))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::training::completion::{Outcome, Shortfall};
    use crate::training::entities::AssessmentRequirement;
    use crate::training::entities::fixtures::class;
    use crate::training::hours::CreditedHours;

    fn completion(person: &str, outcome: Outcome) -> Completion {
        Completion {
            person: person.parse().unwrap(),
            class: "class:c1".parse().unwrap(),
            hours: CreditedHours {
                planned: StudyHours::hours(16),
                credited: StudyHours::hours(16),
                approved_leave: StudyHours::ZERO,
                sessions: vec![],
            },
            outcome,
        }
    }

    #[test]
    fn certificate_numbering_is_year_organiser_class_seq_serial() {
        let n = CertificateNumber::new(2025, "NA", 7, 12).unwrap();
        assert_eq!(n.to_string(), "2025-NA-007-012");
        assert_eq!("2025-NA-007-012".parse::<CertificateNumber>(), Ok(n));
        assert_eq!(
            CertificateNumber::new(2025, "5001", 123, 1234)
                .unwrap()
                .to_string(),
            "2025-5001-123-1234"
        );
        for bad in ["na", "N-A", "", "ABCDEFGHIJKLM"] {
            assert!(CertificateNumber::new(2025, bad, 1, 1).is_err(), "{bad:?}");
        }
        for bad in [
            "2025-NA-007",
            "25-NA-007-012",
            "2025-NA-x-012",
            "2025-na-007-012",
        ] {
            assert!(bad.parse::<CertificateNumber>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn certificates_only_on_completion_with_consecutive_serials() {
        let class = class(AssessmentRequirement::NotRequired);
        let completions = [
            completion("person:a", Outcome::Completed),
            completion(
                "person:b",
                Outcome::NotCompleted(vec![Shortfall::AssessmentFailed]),
            ),
            completion("person:c", Outcome::Exempted),
            completion("person:d", Outcome::Completed),
        ];
        let issued = issue_certificates(&class, &completions).unwrap();
        let numbers: Vec<(String, String)> = issued
            .iter()
            .map(|c| (c.person.to_string(), c.number.to_string()))
            .collect();
        assert_eq!(
            numbers,
            [
                ("person:a".to_string(), "2025-NA-007-001".to_string()),
                ("person:d".to_string(), "2025-NA-007-002".to_string()),
            ]
        );
        assert_eq!(
            TrainingCertificate::issue(&class, &completions[1], 3),
            Err(CertificateError::NotCompleted)
        );
    }
}
