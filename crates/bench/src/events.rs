//! Seeded, realistic events of one device: a village official recording residents (valid
//! GB 11643 numbers in the unassigned demo region 500199), linking spouses, and noting visits.

use chrono::NaiveDate;
use cunju_domain::directory::person::check_digit;
use cunju_domain::event::{DeviceLog, Event, EventBody, NewEvent, Relation, Sex};
use cunju_domain::ids::{DeviceId, EntityId, EventId, UnitId, UserId};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

const SURNAMES: &[&str] = &[
    "李", "王", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "谭", "冉", "向", "牟",
];
const GIVEN: &[&str] = &[
    "伟", "强", "军", "芳", "娜", "敏", "秀英", "建国", "桂兰", "德福", "春梅", "志强", "玉珍",
];
const NOTES: &[&str] = &[
    "入户走访：户主在外务工，家中留守老人两名，已登记联系方式。",
    "核实户籍信息，身份证复印件已存档。",
    "低保复核：家庭收入情况无变化。",
    "协助办理城乡居民医保续费。",
];

/// `n` events of device number `device` in round `round`, for `actor` in `unit`.
pub fn device_events(
    round: u64,
    device: u64,
    actor: &UserId,
    unit: &UnitId,
    n: usize,
    now_ms: u64,
) -> Vec<Event> {
    let mut rng = ChaCha8Rng::seed_from_u64(round * 1_000_003 + device);
    let id: DeviceId = DeviceId::from_random(rng.r#gen());
    let mut log = DeviceLog::new(id);
    let mut people: Vec<EntityId> = Vec::new();
    let mut out = Vec::with_capacity(n);
    for k in 0..n {
        let now = now_ms + k as u64 * 1500;
        let (entity, body) = match (k % 10, people.last()) {
            (9, Some(last)) => (
                last.clone(),
                EventBody::Note {
                    text: NOTES[rng.gen_range(0..NOTES.len())].to_string(),
                },
            ),
            (4 | 7, Some(last)) if people.len() >= 2 => (
                last.clone(),
                EventBody::RelativeLinked {
                    other: people[people.len() - 2].clone(),
                    relation: Relation::Spouse,
                },
            ),
            _ => {
                let entity = EntityId::new("person", EventId::new(now, rng.r#gen()));
                people.push(entity.clone());
                (entity, person(&mut rng))
            }
        };
        out.push(log.append(
            NewEvent {
                actor: actor.clone(),
                unit: unit.clone(),
                entity,
                body,
            },
            now,
            rng.r#gen(),
        ));
    }
    out
}

fn person(rng: &mut ChaCha8Rng) -> EventBody {
    let birth = NaiveDate::from_ymd_opt(rng.gen_range(1940..=2005), rng.gen_range(1..=12), 1)
        .expect("a real date")
        + chrono::Days::new(rng.gen_range(0..28));
    let male = rng.gen_bool(0.5);
    let serial = rng.gen_range(0..500) * 2 + u32::from(male);
    let first17 = format!("500199{}{serial:03}", birth.format("%Y%m%d"));
    let bytes: &[u8; 17] = first17.as_bytes().try_into().expect("17 digits");
    let name = format!(
        "{}{}",
        SURNAMES[rng.gen_range(0..SURNAMES.len())],
        GIVEN[rng.gen_range(0..GIVEN.len())]
    );
    EventBody::PersonRecorded {
        name,
        sex: if male { Sex::Male } else { Sex::Female },
        ethnicity: if rng.gen_bool(0.9) {
            "汉族"
        } else {
            "土家族"
        }
        .into(),
        id_number: format!("{first17}{}", check_digit(bytes)),
        birth_date: birth,
        phone: rng
            .gen_bool(0.6)
            .then(|| format!("1{}", rng.gen_range(3_000_000_000u64..9_999_999_999))),
    }
}

/// The peer's (PouchDB's) comparable document for an event: the same record content (entity as
/// `_id`, unit, author, what was recorded), without Cunju's envelope (device, seq, clock, hash
/// chain) — PouchDB adds its own `_rev` and revision history.
pub fn peer_doc(e: &Event) -> Value {
    let body = e.body.to_value();
    json!({
        "_id": format!("{}:{}", e.entity, e.seq),
        "entity": e.entity,
        "unit": e.unit,
        "actor": e.actor,
        "kind": body["kind"],
        "data": body["data"],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_valid_chained_and_seeded() {
        let actor: UserId = "u1".parse().unwrap();
        let unit: UnitId = "5099001001".parse().unwrap();
        let a = device_events(0, 3, &actor, &unit, 100, 1_764_000_000_000);
        let b = device_events(0, 3, &actor, &unit, 100, 1_764_000_000_000);
        assert_eq!(a, b);
        assert_eq!(a.len(), 100);
        for e in &a {
            assert!(e.hash_ok());
            e.validate().unwrap();
        }
        cunju_domain::event::verify_chain(&a).unwrap();
    }
}
