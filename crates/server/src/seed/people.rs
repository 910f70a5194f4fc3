//! Fictional residents for the demo district: households with common surnames and given names,
//! a rural age structure (many older people, fewer young adults, who work in the cities), and
//! valid GB 11643 identity numbers in the unassigned region 500199. The same seed gives the
//! same people on every machine.

use std::collections::HashSet;

use chrono::{Datelike, Days, NaiveDate};
use cunju_domain::directory::person::check_digit;
use cunju_domain::event::{Relation, Sex};
use rand::Rng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

/// The region code of every demo identity number: inside Chongqing (50), assigned to no
/// district, so a demo number can never be a real person's.
pub const DEMO_REGION: &str = "500199";

/// Ages are counted on this day, so the demo is the same whenever it is seeded.
pub fn reference_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 7, 1).expect("a real date")
}

/// Common surnames, most frequent first (with a few that are typical of Chongqing: 冉, 牟, 谭, 向).
const SURNAMES: &[&str] = &[
    "李", "王", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "罗", "高", "林", "郑", "谭", "梁", "谢", "唐", "曾", "彭", "邓", "冉", "向", "袁", "蒋",
    "余", "熊", "肖", "田", "秦", "杜", "任", "许", "韩", "冯", "曹", "魏", "牟", "夏", "付", "雷",
    "龙", "蔡", "程", "邹", "汪", "江", "石", "贺", "侯", "万", "邱", "黎",
];
const MALE_GIVEN: &[&str] = &[
    "伟", "强", "军", "勇", "杰", "涛", "明", "超", "刚", "平", "辉", "鹏", "华", "飞", "斌", "波",
    "林", "洋", "建", "国", "志", "兵", "文", "海", "俊", "毅", "峰", "磊", "成", "德", "福", "贵",
    "春", "祥", "荣", "昌", "友", "发", "顺", "宇", "浩", "轩", "睿", "博", "晨",
];
const FEMALE_GIVEN: &[&str] = &[
    "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "秀", "英", "兰", "梅", "琴", "玉", "红", "燕",
    "萍", "莉", "婷", "雪", "慧", "琳", "丹", "洁", "倩", "颖", "佳", "欣", "怡", "涵", "萱", "雨",
    "诗", "桂", "珍", "凤", "翠", "淑", "蓉", "莲",
];

/// One fictional resident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resident {
    pub name: String,
    pub sex: Sex,
    pub ethnicity: &'static str,
    pub id_number: String,
    pub birth_date: NaiveDate,
}

/// People living together, and the relations recorded between them:
/// `(person, other, relation)` — `other` is `person`'s `relation` (indices into `members`).
#[derive(Debug, Clone, Default)]
pub struct Household {
    pub members: Vec<Resident>,
    pub links: Vec<(usize, usize, Relation)>,
}

/// Makes residents with unique identity numbers.
pub struct PeopleMaker {
    rng: ChaCha8Rng,
    used_numbers: HashSet<String>,
}

impl PeopleMaker {
    pub fn new(rng: ChaCha8Rng) -> PeopleMaker {
        PeopleMaker {
            rng,
            used_numbers: HashSet::new(),
        }
    }

    /// Households of exactly `people` residents (the last one is cut short if needed).
    pub fn households(&mut self, people: usize) -> Vec<Household> {
        let mut out = Vec::new();
        let mut count = 0;
        while count < people {
            let mut household = if self.rng.gen_bool(0.6) {
                self.family()
            } else {
                self.single()
            };
            let room = people - count;
            household.members.truncate(room);
            household.links.retain(|(a, b, _)| *a < room && *b < room);
            count += household.members.len();
            out.push(household);
        }
        out
    }

    /// A couple and their children; about seven families in ten have their relations recorded.
    fn family(&mut self) -> Household {
        let surname = self.surname();
        let ethnicity = self.ethnicity();
        let husband_age = self.rng.gen_range(24..=82);
        let wife_age = (husband_age as i32 - self.rng.gen_range(-3..=5)).max(21) as u32;
        let mut members = vec![self.resident(surname, Sex::Male, husband_age, ethnicity), {
            let wife_surname = self.surname();
            self.resident(wife_surname, Sex::Female, wife_age, ethnicity)
        }];
        let children = *[0, 1, 1, 1, 2, 2, 2, 3]
            .choose(&mut self.rng)
            .expect("non-empty");
        for _ in 0..children {
            let gap = self.rng.gen_range(21..=36);
            let Some(age) = wife_age.checked_sub(gap) else {
                continue;
            };
            let sex = self.sex(0.52);
            members.push(self.resident(surname, sex, age, ethnicity));
        }
        let mut links = Vec::new();
        if self.rng.gen_bool(0.7) {
            links.push((1, 0, Relation::Spouse));
            for child in 2..members.len() {
                links.push((child, 0, Relation::Parent));
                links.push((child, 1, Relation::Parent));
            }
        }
        Household { members, links }
    }

    /// Someone living alone or whose household is not recorded: an adult of any age, more
    /// often a woman among the oldest.
    fn single(&mut self) -> Household {
        let age = self.adult_age();
        let sex = self.sex(if age >= 75 { 0.42 } else { 0.5 });
        let surname = self.surname();
        let ethnicity = self.ethnicity();
        Household {
            members: vec![self.resident(surname, sex, age, ethnicity)],
            links: vec![],
        }
    }

    /// Rural Chongqing: many older residents, fewer young adults.
    fn adult_age(&mut self) -> u32 {
        const BUCKETS: [(u32, u32, u32); 6] = [
            (18, 29, 12),
            (30, 44, 17),
            (45, 59, 27),
            (60, 74, 27),
            (75, 89, 14),
            (90, 99, 3),
        ];
        let total: u32 = BUCKETS.iter().map(|b| b.2).sum();
        let mut pick = self.rng.gen_range(0..total);
        for (low, high, weight) in BUCKETS {
            if pick < weight {
                return self.rng.gen_range(low..=high);
            }
            pick -= weight;
        }
        unreachable!("pick is below the total weight")
    }

    fn sex(&mut self, male_share: f64) -> Sex {
        if self.rng.gen_bool(male_share) {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    /// Most frequent surnames are drawn most often (weight falls with rank).
    fn surname(&mut self) -> &'static str {
        let weights: u32 = (0..SURNAMES.len() as u32).map(|i| 120 / (i + 4)).sum();
        let mut pick = self.rng.gen_range(0..weights);
        for (i, name) in SURNAMES.iter().enumerate() {
            let w = 120 / (i as u32 + 4);
            if pick < w {
                return name;
            }
            pick -= w;
        }
        SURNAMES[0]
    }

    fn ethnicity(&mut self) -> &'static str {
        match self.rng.gen_range(0..1000) {
            0..935 => "汉族",
            935..980 => "土家族",
            980..995 => "苗族",
            _ => "仡佬族",
        }
    }

    fn resident(&mut self, surname: &str, sex: Sex, age: u32, ethnicity: &'static str) -> Resident {
        let pool = match sex {
            Sex::Male => MALE_GIVEN,
            Sex::Female => FEMALE_GIVEN,
        };
        let first = *pool.choose(&mut self.rng).expect("non-empty");
        let mut name = format!("{surname}{first}");
        if self.rng.gen_bool(0.7) {
            let second = *pool.choose(&mut self.rng).expect("non-empty");
            if second != first {
                name.push_str(second);
            }
        }
        let birth_date = self.birth_date(age);
        Resident {
            name,
            sex,
            ethnicity,
            id_number: self.id_number(birth_date, sex),
            birth_date,
        }
    }

    /// A day on which someone is `age` years old on the reference day.
    fn birth_date(&mut self, age: u32) -> NaiveDate {
        let day = reference_day();
        let birthday_passed = day
            .with_year(day.year() - age as i32)
            .unwrap_or_else(|| NaiveDate::from_ymd_opt(day.year() - age as i32, 2, 28).unwrap());
        birthday_passed - Days::new(self.rng.gen_range(0..365))
    }

    /// A valid, unused 18-character number: region, birth date, a 3-digit sequence whose last
    /// digit is odd for men and even for women, and the GB 11643 check digit.
    fn id_number(&mut self, birth: NaiveDate, sex: Sex) -> String {
        loop {
            let parity = if sex == Sex::Male { 1 } else { 0 };
            let sequence = self.rng.gen_range(0..500) * 2 + parity;
            let first17 = format!("{DEMO_REGION}{}{sequence:03}", birth.format("%Y%m%d"));
            let bytes: &[u8; 17] = first17.as_bytes().try_into().expect("17 digits");
            let number = format!("{first17}{}", check_digit(bytes));
            if self.used_numbers.insert(number.clone()) {
                return number;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cunju_domain::directory::person::{IdNumber, age_on, check_against_id};
    use rand::SeedableRng;

    fn maker() -> PeopleMaker {
        PeopleMaker::new(ChaCha8Rng::seed_from_u64(7))
    }

    #[test]
    fn households_hold_exactly_the_people_asked_for() {
        for n in [1, 2, 7, 500] {
            let total: usize = maker().households(n).iter().map(|h| h.members.len()).sum();
            assert_eq!(total, n);
        }
    }

    #[test]
    fn every_identity_number_is_valid_unique_and_matches_the_person() {
        let people: Vec<Resident> = maker()
            .households(3000)
            .into_iter()
            .flat_map(|h| h.members)
            .collect();
        let mut seen = HashSet::new();
        for p in &people {
            let id = IdNumber::parse(&p.id_number, reference_day()).expect("valid number");
            assert_eq!(id.region(), DEMO_REGION);
            check_against_id(&id, Some(p.birth_date), Some(p.sex)).expect("matches");
            assert!(seen.insert(p.id_number.clone()), "{} repeats", p.id_number);
            assert!((2..=3).contains(&p.name.chars().count()), "{}", p.name);
        }
    }

    #[test]
    fn the_population_looks_rural() {
        let people: Vec<Resident> = maker()
            .households(5000)
            .into_iter()
            .flat_map(|h| h.members)
            .collect();
        let share = |f: &dyn Fn(&Resident) -> bool| {
            people.iter().filter(|p| f(p)).count() as f64 / people.len() as f64
        };
        let men = share(&|p| p.sex == Sex::Male);
        assert!((0.45..0.55).contains(&men), "{men}");
        let old = share(&|p| age_on(p.birth_date, reference_day()) >= 60);
        assert!((0.2..0.45).contains(&old), "{old}");
        let children = share(&|p| age_on(p.birth_date, reference_day()) < 18);
        assert!((0.03..0.25).contains(&children), "{children}");
        let han = share(&|p| p.ethnicity == "汉族");
        assert!(han > 0.85, "{han}");
    }

    #[test]
    fn links_join_spouses_and_children_to_both_parents() {
        let households = maker().households(2000);
        let linked: Vec<&Household> = households.iter().filter(|h| !h.links.is_empty()).collect();
        assert!(linked.len() > 50);
        for h in linked {
            let (wife, husband, relation) = h.links[0];
            assert_eq!(relation, Relation::Spouse);
            assert_eq!(
                (h.members[wife].sex, h.members[husband].sex),
                (Sex::Female, Sex::Male)
            );
            for &(child, parent, relation) in &h.links[1..] {
                assert_eq!(relation, Relation::Parent);
                assert!(h.members[child].birth_date > h.members[parent].birth_date);
            }
        }
    }

    #[test]
    fn the_same_seed_makes_the_same_people() {
        let a: Vec<Resident> = maker()
            .households(100)
            .into_iter()
            .flat_map(|h| h.members)
            .collect();
        let b: Vec<Resident> = maker()
            .households(100)
            .into_iter()
            .flat_map(|h| h.members)
            .collect();
        assert_eq!(a, b);
    }
}
