//! People (人员): the resident identity number (居民身份证号码, GB 11643-1999) with its check
//! digit, the birth date and sex it encodes, and masking for screens (`5001**********1234`).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::event::Sex;

/// A valid 18-character resident identity number. Construct with [`IdNumber::parse`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IdNumber(String);

/// Why a typed identity number is not valid. Messages say what to check.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdNumberError {
    #[error("an identity number has 18 characters; this one has {0}")]
    WrongLength(usize),
    #[error("the first 17 characters must be digits and the last a digit or X")]
    BadCharacter,
    #[error("the region code (first 6 digits) is not valid")]
    BadRegion,
    #[error("the birth date {0} in the number does not exist")]
    ImpossibleDate(String),
    #[error("the birth date {0} in the number is in the future")]
    FutureDate(NaiveDate),
    #[error("the check digit should be {expected}, not {found}")]
    WrongCheckDigit { expected: char, found: char },
}

impl IdNumberError {
    /// The message shown in the app, in Chinese.
    pub fn message_zh(&self) -> String {
        match self {
            IdNumberError::WrongLength(n) => format!("身份证号码应为18位，现为{n}位"),
            IdNumberError::BadCharacter => "身份证号码前17位须为数字，最后一位为数字或X".into(),
            IdNumberError::BadRegion => "身份证号码的地区码(前6位)无效".into(),
            IdNumberError::ImpossibleDate(d) => format!("身份证号码中的出生日期{d}不存在"),
            IdNumberError::FutureDate(d) => format!("身份证号码中的出生日期{d}晚于今天"),
            IdNumberError::WrongCheckDigit { expected, found } => {
                format!("身份证号码校验位错误：应为{expected}，实为{found}，请核对号码")
            }
        }
    }
}

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// The GB 11643 check character for the first 17 digits.
pub fn check_digit(first17: &[u8; 17]) -> char {
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    CHECK[(sum % 11) as usize]
}

impl IdNumber {
    /// Checks length, characters, region, birth date (must exist and not be after `today`)
    /// and the check digit. A lowercase `x` is accepted and stored as `X`.
    pub fn parse(text: &str, today: NaiveDate) -> Result<IdNumber, IdNumberError> {
        let id = Self::parse_shape(text)?;
        let birth = id.birth_date();
        if birth > today {
            return Err(IdNumberError::FutureDate(birth));
        }
        Ok(id)
    }

    /// Like [`IdNumber::parse`] without the future-date check (for stored, already-checked data).
    fn parse_shape(text: &str) -> Result<IdNumber, IdNumberError> {
        let text = text.trim().to_ascii_uppercase();
        let chars = text.chars().count();
        if chars != 18 {
            return Err(IdNumberError::WrongLength(chars));
        }
        let bytes = text.as_bytes();
        if !bytes[..17].iter().all(u8::is_ascii_digit)
            || !(bytes[17].is_ascii_digit() || bytes[17] == b'X')
        {
            return Err(IdNumberError::BadCharacter);
        }
        // Province codes run from 11 (Beijing) to 82 (Macao); 00xxxx is never a region.
        let province = (bytes[0] - b'0') * 10 + (bytes[1] - b'0');
        if !(11..=82).contains(&province) {
            return Err(IdNumberError::BadRegion);
        }
        let date_text = &text[6..14];
        NaiveDate::parse_from_str(date_text, "%Y%m%d")
            .map_err(|_| IdNumberError::ImpossibleDate(date_text.to_string()))?;
        let first17: &[u8; 17] = bytes[..17].try_into().expect("length checked");
        let expected = check_digit(first17);
        let found = bytes[17] as char;
        if expected != found {
            return Err(IdNumberError::WrongCheckDigit { expected, found });
        }
        Ok(IdNumber(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The birth date encoded in digits 7–14.
    pub fn birth_date(&self) -> NaiveDate {
        NaiveDate::parse_from_str(&self.0[6..14], "%Y%m%d").expect("checked when parsed")
    }

    /// The sex encoded in digit 17: odd is male, even is female.
    pub fn sex(&self) -> Sex {
        if (self.0.as_bytes()[16] - b'0') % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    /// The 6-digit administrative region code of first registration.
    pub fn region(&self) -> &str {
        &self.0[..6]
    }

    /// For screens: the first 4 and last 4 characters, the rest as `*` (`5001**********1234`).
    pub fn masked(&self) -> String {
        mask_id_number(&self.0)
    }
}

/// Masks any identity-number-like text for display, keeping the first 4 and last 4 characters.
pub fn mask_id_number(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= 8 {
        return "*".repeat(chars.len());
    }
    let mut out: String = chars[..4].iter().collect();
    out.push_str(&"*".repeat(chars.len() - 8));
    out.extend(&chars[chars.len() - 4..]);
    out
}

impl TryFrom<String> for IdNumber {
    type Error = IdNumberError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        IdNumber::parse_shape(&value)
    }
}

impl From<IdNumber> for String {
    fn from(value: IdNumber) -> String {
        value.0
    }
}

impl std::fmt::Display for IdNumber {
    /// Displays masked: a full number is never printed by accident (logs, debug screens).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.masked())
    }
}

/// What a person typed, checked against the identity number: the birth date and sex typed in a
/// form must agree with the ones the number encodes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PersonMismatch {
    #[error("birth date {typed} does not match {in_number} in the identity number")]
    BirthDate {
        typed: NaiveDate,
        in_number: NaiveDate,
    },
    #[error("the sex typed does not match the identity number")]
    Sex,
}

impl PersonMismatch {
    pub fn message_zh(&self) -> String {
        match self {
            PersonMismatch::BirthDate { typed, in_number } => {
                format!("填写的出生日期{typed}与身份证号码中的{in_number}不一致")
            }
            PersonMismatch::Sex => "填写的性别与身份证号码不一致".into(),
        }
    }
}

/// Checks typed birth date and sex (either may be absent) against the identity number.
pub fn check_against_id(
    id: &IdNumber,
    birth_date: Option<NaiveDate>,
    sex: Option<Sex>,
) -> Result<(), PersonMismatch> {
    if let Some(typed) = birth_date
        && typed != id.birth_date()
    {
        return Err(PersonMismatch::BirthDate {
            typed,
            in_number: id.birth_date(),
        });
    }
    if let Some(typed) = sex
        && typed != id.sex()
    {
        return Err(PersonMismatch::Sex);
    }
    Ok(())
}

/// Someone already recorded in the unit with the same identity number (身份证号码重复).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateIdNumber {
    pub existing: crate::ids::EntityId,
    pub name: String,
}

impl DuplicateIdNumber {
    pub fn message_zh(&self) -> String {
        format!(
            "该身份证号码已登记为本单位的“{}”，请勿重复登记；如信息有误，请更正原记录",
            self.name
        )
    }

    pub fn message_en(&self) -> String {
        format!(
            "This identity number is already recorded in this unit as \"{}\"; correct that record instead of adding a new one",
            self.name
        )
    }
}

/// An identity number may be recorded only once inside a unit. `people` are the unit's
/// recorded persons as `(entity, identity number, name)`; the person being recorded is skipped.
pub fn find_duplicate_in_unit<'a>(
    id: &IdNumber,
    myself: &crate::ids::EntityId,
    people: impl IntoIterator<Item = (&'a crate::ids::EntityId, &'a str, &'a str)>,
) -> Option<DuplicateIdNumber> {
    people
        .into_iter()
        .find(|(entity, number, _)| {
            *entity != myself && number.trim().eq_ignore_ascii_case(id.as_str())
        })
        .map(|(entity, _, name)| DuplicateIdNumber {
            existing: entity.clone(),
            name: name.to_string(),
        })
}

/// Age in whole years on `day` (someone born on 2008-03-01 is 18 on 2026-03-01). A person born
/// on 29 February turns a year older on 1 March in common years.
pub fn age_on(birth: NaiveDate, day: NaiveDate) -> i32 {
    use chrono::Datelike;
    let mut age = day.year() - birth.year();
    if (day.month(), day.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }
    const TODAY: fn() -> NaiveDate = || NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();

    /// Builds a valid number from 17 digits by computing its check digit.
    fn with_check(first17: &str) -> String {
        let bytes: &[u8; 17] = first17.as_bytes().try_into().unwrap();
        format!("{first17}{}", check_digit(bytes))
    }

    #[test]
    fn the_gb11643_sample_number_is_valid() {
        // The worked example of the standard: 11010519491231002X.
        let id = IdNumber::parse("11010519491231002X", TODAY()).unwrap();
        assert_eq!(id.birth_date(), day(1949, 12, 31));
        assert_eq!(id.sex(), Sex::Female);
        assert_eq!(id.region(), "110105");
    }

    #[test]
    fn a_wrong_check_digit_is_refused_with_the_right_one_named() {
        let err = IdNumber::parse("110105194912310021", TODAY()).unwrap_err();
        assert_eq!(
            err,
            IdNumberError::WrongCheckDigit {
                expected: 'X',
                found: '1'
            }
        );
        assert!(err.message_zh().contains("应为X"));
    }

    #[test]
    fn check_digit_x_is_accepted_in_lower_case() {
        let id = IdNumber::parse("11010519491231002x", TODAY()).unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
    }

    #[test]
    fn x_anywhere_but_the_end_is_refused() {
        assert_eq!(
            IdNumber::parse("1101051949123100X2", TODAY()),
            Err(IdNumberError::BadCharacter)
        );
    }

    #[test]
    fn impossible_dates_are_refused() {
        for date in ["19490230", "20230229", "19991301", "19990100"] {
            let number = with_check(&format!("500101{date}123"));
            assert!(
                matches!(
                    IdNumber::parse(&number, TODAY()),
                    Err(IdNumberError::ImpossibleDate(_))
                ),
                "{number}"
            );
        }
        // 2024-02-29 exists.
        assert!(IdNumber::parse(&with_check("50010120240229123"), TODAY()).is_ok());
    }

    #[test]
    fn a_birth_date_after_today_is_refused() {
        let number = with_check("50010120261129123");
        assert_eq!(
            IdNumber::parse(&number, TODAY()),
            Err(IdNumberError::FutureDate(day(2026, 11, 29)))
        );
        assert!(IdNumber::parse(&with_check("50010120261128123"), TODAY()).is_ok());
    }

    #[test]
    fn wrong_length_and_region_are_refused() {
        assert_eq!(
            IdNumber::parse("5001011990", TODAY()),
            Err(IdNumberError::WrongLength(10))
        );
        assert_eq!(
            IdNumber::parse(&with_check("00010119900101123"), TODAY()),
            Err(IdNumberError::BadRegion)
        );
    }

    #[test]
    fn sex_comes_from_the_seventeenth_digit() {
        assert_eq!(
            IdNumber::parse(&with_check("50010119900101123"), TODAY())
                .unwrap()
                .sex(),
            Sex::Male
        );
        assert_eq!(
            IdNumber::parse(&with_check("50010119900101124"), TODAY())
                .unwrap()
                .sex(),
            Sex::Female
        );
    }

    #[test]
    fn typed_birth_date_and_sex_must_match_the_number() {
        let id = IdNumber::parse(&with_check("50010119900101123"), TODAY()).unwrap();
        assert_eq!(
            check_against_id(&id, Some(day(1990, 1, 1)), Some(Sex::Male)),
            Ok(())
        );
        assert_eq!(
            check_against_id(&id, Some(day(1990, 1, 2)), None),
            Err(PersonMismatch::BirthDate {
                typed: day(1990, 1, 2),
                in_number: day(1990, 1, 1)
            })
        );
        assert_eq!(
            check_against_id(&id, None, Some(Sex::Female)),
            Err(PersonMismatch::Sex)
        );
    }

    #[test]
    fn masking_keeps_four_and_four() {
        let id = IdNumber::parse("11010519491231002X", TODAY()).unwrap();
        assert_eq!(id.masked(), "1101**********002X");
        assert_eq!(id.to_string(), "1101**********002X");
        assert_eq!(mask_id_number("123"), "***");
    }

    #[test]
    fn age_counts_whole_years_on_the_day() {
        assert_eq!(age_on(day(2008, 3, 1), day(2026, 3, 1)), 18);
        assert_eq!(age_on(day(2008, 3, 2), day(2026, 3, 1)), 17);
        assert_eq!(age_on(day(2008, 2, 29), day(2026, 2, 28)), 17);
        assert_eq!(age_on(day(2008, 2, 29), day(2026, 3, 1)), 18);
    }

    #[test]
    fn a_second_record_with_the_same_number_in_a_unit_names_the_first() {
        let id = IdNumber::parse("11010519491231002X", TODAY()).unwrap();
        let first: crate::ids::EntityId = "person:a".parse().unwrap();
        let other: crate::ids::EntityId = "person:b".parse().unwrap();
        let me: crate::ids::EntityId = "person:new".parse().unwrap();
        let people = [
            (&other, "500101199001011234", "王五"),
            (&first, "11010519491231002x", "李四"),
        ];
        let dup = find_duplicate_in_unit(&id, &me, people).unwrap();
        assert_eq!(dup.existing, first);
        assert!(dup.message_zh().contains("李四"), "{}", dup.message_zh());
        // Correcting the same person's own record is not a duplicate.
        assert_eq!(
            find_duplicate_in_unit(&id, &first, [(&first, "11010519491231002X", "李四")]),
            None
        );
        assert_eq!(
            find_duplicate_in_unit(&id, &me, [(&other, "500101199001011234", "王五")]),
            None
        );
    }

    #[test]
    fn serde_refuses_an_invalid_number() {
        assert!(serde_json::from_str::<IdNumber>("\"110105194912310021\"").is_err());
        let ok: IdNumber = serde_json::from_str("\"11010519491231002X\"").unwrap();
        assert_eq!(
            serde_json::to_string(&ok).unwrap(),
            "\"11010519491231002X\""
        );
    }
}
