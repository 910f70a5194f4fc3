//! Money (金额): amounts as whole fen (分, 0.01 yuan) in an `i64`, never floats; checked
//! arithmetic; yuan text ("1234.50") both ways; and the Chinese capital amount (大写金额) that
//! rosters and vouchers print beside the figures.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// An amount of money in fen (分). 100 fen = 1 yuan (元). May be negative (a recovery, 扣回).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Fen(pub i64);

/// Why a money calculation or a typed amount was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("the amount is too large to compute; check the figures")]
    Overflow,
    #[error("{0:?} is not an amount in yuan; write it like 123.45")]
    BadAmount(String),
}

impl Fen {
    pub const ZERO: Fen = Fen(0);

    /// Whole yuan: `Fen::yuan(300)` is 300.00.
    pub const fn yuan(yuan: i64) -> Fen {
        Fen(yuan * 100)
    }

    pub fn checked_add(self, other: Fen) -> Result<Fen, MoneyError> {
        self.0
            .checked_add(other.0)
            .map(Fen)
            .ok_or(MoneyError::Overflow)
    }

    pub fn checked_sub(self, other: Fen) -> Result<Fen, MoneyError> {
        self.0
            .checked_sub(other.0)
            .map(Fen)
            .ok_or(MoneyError::Overflow)
    }

    /// Sum of many amounts, refusing on overflow.
    pub fn checked_sum<I: IntoIterator<Item = Fen>>(items: I) -> Result<Fen, MoneyError> {
        items
            .into_iter()
            .try_fold(Fen::ZERO, |acc, x| acc.checked_add(x))
    }

    /// `self × num / den`, rounded to the nearest fen, halves away from zero (四舍五入).
    /// Used for day-based pro-rating. `den` must not be zero.
    pub fn mul_ratio_rounded(self, num: i64, den: i64) -> Result<Fen, MoneyError> {
        assert!(den != 0, "ratio with a zero denominator");
        let product = i128::from(self.0) * i128::from(num);
        let den = i128::from(den);
        let (q, r) = (product / den, product % den);
        let rounded = if 2 * r.abs() >= den.abs() {
            q + if (product < 0) == (den < 0) { 1 } else { -1 }
        } else {
            q
        };
        i64::try_from(rounded)
            .map(Fen)
            .map_err(|_| MoneyError::Overflow)
    }

    pub fn is_negative(self) -> bool {
        self.0 < 0
    }
}

/// Yuan with two decimals: `1234.50`, `-0.05`.
impl fmt::Display for Fen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

/// Parses yuan: `123`, `123.4`, `123.45`, `-5.00`. At most two decimals; no thousands separators.
impl FromStr for Fen {
    type Err = MoneyError;

    fn from_str(text: &str) -> Result<Fen, MoneyError> {
        let bad = || MoneyError::BadAmount(text.to_string());
        let trimmed = text.trim();
        let (negative, digits) = match trimmed.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, trimmed),
        };
        let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !all_digits(whole) || !all_digits(frac) || frac.len() > 2 {
            return Err(bad());
        }
        if digits.ends_with('.') {
            return Err(bad());
        }
        let whole: i64 = whole.parse().map_err(|_| bad())?;
        let frac: i64 = format!("{frac:0<2}").parse().map_err(|_| bad())?;
        let fen = whole
            .checked_mul(100)
            .and_then(|w| w.checked_add(frac))
            .ok_or_else(bad)?;
        Ok(Fen(if negative { -fen } else { fen }))
    }
}

const DIGITS: [char; 10] = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];

/// The Chinese capital amount (大写金额), following the People's Bank of China rules for
/// writing vouchers (《正确填写票据和结算凭证的基本规定》):
///
/// - whole yuan end in 整: `10.00` → 壹拾元整; `0.00` → 零元整; a leading 拾 keeps its 壹;
/// - one 零 for any run of zeros inside the yuan part: `1,000,010` → 壹佰万零壹拾元整;
/// - a zero 角 before a non-zero 分 is written 零: `20.05` → 贰拾元零伍分;
/// - where the rules make 零 optional (yuan digit 0, 角 not 0) we omit it:
///   `10,010.50` → 壹万零壹拾元伍角;
/// - 整 after 角 is optional in those rules; we **omit** it: `0.50` → 伍角; never after 分;
/// - below one yuan there is no 元: `0.01` → 壹分;
/// - negative amounts are prefixed 负.
pub fn capital_numerals(amount: Fen) -> String {
    let abs = amount.0.unsigned_abs();
    let (yuan, jiao, fen) = (abs / 100, (abs / 10 % 10) as usize, (abs % 10) as usize);
    let mut out = String::new();
    if amount.0 < 0 {
        out.push('负');
    }
    if yuan == 0 && jiao == 0 && fen == 0 {
        out.push_str("零元整");
        return out;
    }
    if yuan > 0 {
        out.push_str(&yuan_words(yuan));
        out.push('元');
    }
    match (jiao, fen) {
        (0, 0) => out.push('整'),
        (0, f) => {
            if yuan > 0 {
                out.push('零');
            }
            out.push(DIGITS[f]);
            out.push('分');
        }
        (j, f) => {
            out.push(DIGITS[j]);
            out.push('角');
            if f > 0 {
                out.push(DIGITS[f]);
                out.push('分');
            }
        }
    }
    out
}

/// Words for a positive whole number of yuan, in sections of 亿 and 万. A lower section that
/// does not fill its top place gets one 零 (`10,010` → 壹万零壹拾).
fn yuan_words(n: u64) -> String {
    const YI: u64 = 100_000_000;
    const WAN: u64 = 10_000;
    let (unit, size, char_) = if n >= YI {
        (YI, YI / 10, '亿')
    } else if n >= WAN {
        (WAN, WAN / 10, '万')
    } else {
        return section_words(n);
    };
    let (high, low) = (n / unit, n % unit);
    let mut out = yuan_words(high);
    out.push(char_);
    if low > 0 {
        if low < size {
            out.push('零');
        }
        out.push_str(&yuan_words(low));
    }
    out
}

/// Words for 1..=9999: 仟佰拾 places, one 零 for zeros between digits, none at the end.
fn section_words(n: u64) -> String {
    const PLACES: [(u64, &str); 4] = [(1000, "仟"), (100, "佰"), (10, "拾"), (1, "")];
    let mut out = String::new();
    let mut pending_zero = false;
    for (value, place) in PLACES {
        let digit = (n / value % 10) as usize;
        if digit == 0 {
            pending_zero = !out.is_empty();
            continue;
        }
        if pending_zero {
            out.push('零');
            pending_zero = false;
        }
        out.push(DIGITS[digit]);
        out.push_str(place);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yuan(text: &str) -> Fen {
        text.parse().unwrap()
    }

    #[test]
    fn display_shows_yuan_with_two_decimals() {
        assert_eq!(Fen(12345).to_string(), "123.45");
        assert_eq!(Fen(5).to_string(), "0.05");
        assert_eq!(Fen(-5).to_string(), "-0.05");
        assert_eq!(Fen::yuan(300).to_string(), "300.00");
        assert_eq!(Fen(i64::MIN).to_string(), "-92233720368547758.08");
    }

    #[test]
    fn parse_accepts_up_to_two_decimals() {
        assert_eq!(yuan("123.45"), Fen(12345));
        assert_eq!(yuan("123.4"), Fen(12340));
        assert_eq!(yuan("123"), Fen(12300));
        assert_eq!(yuan(" -0.05 "), Fen(-5));
        assert_eq!(yuan("0.00"), Fen::ZERO);
        for bad in [
            "",
            "-",
            "1.234",
            "1,000",
            "abc",
            ".5",
            "5.",
            "1.-2",
            "++1",
            "99999999999999999999",
        ] {
            assert!(bad.parse::<Fen>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn display_and_parse_round_trip() {
        for fen in [0, 1, 99, 100, 101, -1, -12345, 100_000_000] {
            assert_eq!(Fen(fen).to_string().parse::<Fen>(), Ok(Fen(fen)));
        }
    }

    #[test]
    fn arithmetic_is_checked() {
        assert_eq!(Fen(100).checked_add(Fen(50)), Ok(Fen(150)));
        assert_eq!(Fen(100).checked_sub(Fen(150)), Ok(Fen(-50)));
        assert_eq!(Fen(i64::MAX).checked_add(Fen(1)), Err(MoneyError::Overflow));
        assert_eq!(Fen(i64::MIN).checked_sub(Fen(1)), Err(MoneyError::Overflow));
        assert_eq!(Fen::checked_sum([Fen(1), Fen(2), Fen(3)]), Ok(Fen(6)));
        assert_eq!(
            Fen::checked_sum([Fen(i64::MAX), Fen(1)]),
            Err(MoneyError::Overflow)
        );
    }

    #[test]
    fn ratio_rounds_half_away_from_zero() {
        // 500 yuan × 10/31 = 161.2903… → 161.29
        assert_eq!(Fen::yuan(500).mul_ratio_rounded(10, 31), Ok(Fen(16129)));
        // 1 fen × 1/2 = 0.5 fen → 1 fen; 1 fen × 1/3 → 0
        assert_eq!(Fen(1).mul_ratio_rounded(1, 2), Ok(Fen(1)));
        assert_eq!(Fen(1).mul_ratio_rounded(1, 3), Ok(Fen(0)));
        assert_eq!(Fen(-1).mul_ratio_rounded(1, 2), Ok(Fen(-1)));
        assert_eq!(
            Fen(i64::MAX).mul_ratio_rounded(2, 1),
            Err(MoneyError::Overflow)
        );
    }

    #[test]
    fn capital_numerals_for_the_spec_examples() {
        assert_eq!(capital_numerals(yuan("0.01")), "壹分");
        assert_eq!(capital_numerals(yuan("10")), "壹拾元整");
        assert_eq!(capital_numerals(yuan("10010.50")), "壹万零壹拾元伍角");
        assert_eq!(capital_numerals(yuan("1000000")), "壹佰万元整");
        assert_eq!(capital_numerals(Fen::ZERO), "零元整");
        assert_eq!(capital_numerals(yuan("-300")), "负叁佰元整");
    }

    #[test]
    fn capital_numerals_for_large_and_zero_filled_amounts() {
        assert_eq!(capital_numerals(yuan("100000000.00")), "壹亿元整");
        assert_eq!(capital_numerals(yuan("1000010.00")), "壹佰万零壹拾元整");
        assert_eq!(capital_numerals(yuan("100010000")), "壹亿零壹万元整");
        assert_eq!(capital_numerals(yuan("100000001")), "壹亿零壹元整");
        assert_eq!(capital_numerals(yuan("110000000")), "壹亿壹仟万元整");
        assert_eq!(
            capital_numerals(yuan("1234567890123.45")),
            "壹万贰仟叁佰肆拾伍亿陆仟柒佰捌拾玖万零壹佰贰拾叁元肆角伍分"
        );
        assert_eq!(capital_numerals(yuan("6007.14")), "陆仟零柒元壹角肆分");
        assert_eq!(capital_numerals(yuan("1409.50")), "壹仟肆佰零玖元伍角");
        assert_eq!(capital_numerals(yuan("107000.53")), "壹拾万柒仟元伍角叁分");
        assert_eq!(capital_numerals(yuan("15000")), "壹万伍仟元整");
        assert_eq!(capital_numerals(Fen(i64::MIN)).chars().next(), Some('负'));
    }

    #[test]
    fn capital_numerals_zero_jiao_before_fen_writes_ling() {
        assert_eq!(capital_numerals(yuan("20.05")), "贰拾元零伍分");
        assert_eq!(
            capital_numerals(yuan("16409.02")),
            "壹万陆仟肆佰零玖元零贰分"
        );
        assert_eq!(
            capital_numerals(yuan("0.05")),
            "伍分",
            "no 零 when there is no yuan"
        );
        assert_eq!(capital_numerals(yuan("20.15")), "贰拾元壹角伍分");
    }

    #[test]
    fn capital_numerals_no_zheng_after_jiao_or_fen() {
        assert_eq!(capital_numerals(yuan("0.50")), "伍角");
        assert_eq!(capital_numerals(yuan("300.50")), "叁佰元伍角");
        assert_eq!(capital_numerals(yuan("300.51")), "叁佰元伍角壹分");
        assert_eq!(capital_numerals(yuan("300")), "叁佰元整");
    }
}
