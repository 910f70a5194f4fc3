//! The demo district's social-work allowance records: a district rate table (marked with a
//! fictional document number) and five community workers of 青石村(虚构) with certificates,
//! registrations, continuing education, posts and bank cards — chosen so that a roster of the
//! last three months has real rows and each kind of warning (registration expiring, hours
//! short, no bank card) — and one recorded suspension (45 days of unpaid leave, long enough ago
//! not to touch the recent rosters). Dates are relative to the day of seeding so the demo never
//! goes stale.

use chrono::{Months, NaiveDate};
use cunju_domain::allowance::entitlement::{Post, Registration};
use cunju_domain::allowance::level::Level;
use cunju_domain::allowance::period::YearMonth;
use cunju_domain::allowance::rates::{PaymentType, Proration};
use cunju_domain::allowance::records::{
    QualificationFact, RatesSet, district_table, qualification_entity, rates_entity,
};
use cunju_domain::allowance::roster::PaymentMarker;
use cunju_domain::event::{EventBody, NewEvent};
use cunju_domain::ids::{EntityId, UnitId, UserId};
use cunju_domain::money::Fen;
use cunju_domain::training::hours::StudyHours;

use super::DEMO_DISTRICT;
use crate::store::{Result, SERVER_ACTOR, Store};

/// The village whose workers are seeded (the demo village official's unit).
pub const DEMO_ALLOWANCE_UNIT: &str = "5099001001";
/// The demo district's rate table version.
pub const DEMO_RATES_VERSION: &str = "5099-2020";

/// Records the demo allowance records unless the server already has them. Returns how many
/// events were written.
pub async fn seed_allowances(store: &Store, today: NaiveDate, now_ms: i64) -> Result<usize> {
    if store
        .count_events_of_kind("allowance_rates_set", DEMO_DISTRICT, Some(SERVER_ACTOR))
        .await?
        > 0
    {
        return Ok(0);
    }
    let people: Vec<EntityId> = store
        .events_of_kind("person_recorded", DEMO_ALLOWANCE_UNIT)
        .await?
        .into_iter()
        .filter(|e| match &e.body {
            EventBody::PersonRecorded { birth_date, .. } => {
                let age = today.years_since(*birth_date).unwrap_or(0);
                (25..=55).contains(&age)
            }
            _ => false,
        })
        .map(|e| e.entity)
        .take(5)
        .collect();
    let drafts = allowance_drafts(&people, today);
    let written = drafts.len();
    store.append_server_events(drafts, now_ms).await?;
    Ok(written)
}

/// The rate table and the qualification facts of up to five workers (`people`, in order).
pub fn allowance_drafts(people: &[EntityId], today: NaiveDate) -> Vec<NewEvent> {
    let actor: UserId = SERVER_ACTOR.parse().expect("a valid user id");
    let district: UnitId = DEMO_DISTRICT.parse().expect("a valid unit");
    let unit: UnitId = DEMO_ALLOWANCE_UNIT.parse().expect("a valid unit");
    let ago = |months: u32| today - Months::new(months);
    let table = district_table(
        &district,
        DEMO_RATES_VERSION,
        YearMonth::new(2020, 1).expect("a valid month"),
        "演示区社工〔2020〕1号(虚构)",
        &[
            (Level::SwSenior, Fen::yuan(500), PaymentType::Monthly),
            (Level::SwIntermediate, Fen::yuan(300), PaymentType::Monthly),
            (Level::SwAssistant, Fen::yuan(200), PaymentType::Monthly),
            (Level::CqSwWorker, Fen::yuan(100), PaymentType::Monthly),
        ],
    );
    let mut drafts = vec![NewEvent {
        actor: actor.clone(),
        unit: district.clone(),
        entity: rates_entity(&district),
        body: EventBody::AllowanceRatesSet(RatesSet {
            table,
            proration: Proration::FirstDay,
        }),
    }];
    // (post, [(level, certificate months ago, registration months ago)], hours, card)
    type Plan = (Post, &'static [(Level, u32, Option<u32>)], u32, bool);
    const PLANS: [Plan; 5] = [
        (
            Post::SecretaryDirector,
            &[(Level::SwIntermediate, 30, Some(24))],
            90,
            true,
        ),
        (
            Post::Deputy,
            &[
                (Level::SwIntermediate, 40, Some(34)),
                (Level::SwSenior, 8, Some(8)),
            ],
            100,
            true,
        ),
        (
            Post::CommitteeMember,
            &[(Level::SwAssistant, 20, Some(20))],
            30,
            true,
        ),
        (
            Post::CommitteeMember,
            &[(Level::CqSwWorker, 60, None)],
            0,
            false,
        ),
        // Registered 34 months ago: valid for two more months — the roster warns.
        (
            Post::Deputy,
            &[(Level::SwAssistant, 36, Some(34))],
            80,
            true,
        ),
    ];
    for (n, (person, (post, levels, hours, card))) in people.iter().zip(PLANS).enumerate() {
        let entity = qualification_entity(person);
        let mut facts = vec![
            QualificationFact::Appointed {
                unit: unit.clone(),
                post,
                on: NaiveDate::from_ymd_opt(2019, 3, 1).expect("a real date"),
            },
            QualificationFact::Approved {
                on: NaiveDate::from_ymd_opt(2019, 4, 1).expect("a real date"),
            },
        ];
        for &(level, cert_ago, reg_ago) in levels {
            facts.push(QualificationFact::Certificate {
                level,
                number: format!("DEMO-{}-{:04}", level.code(), n + 1),
                obtained_on: ago(cert_ago),
            });
            if let Some(reg_ago) = reg_ago {
                facts.push(QualificationFact::Registered {
                    registration: Registration::first(
                        level,
                        &format!("DJ-{}-{:04}", level.code(), n + 1),
                        ago(reg_ago),
                        3,
                    ),
                });
            }
        }
        if hours > 0 {
            facts.push(QualificationFact::ContinuingEducation {
                on: ago(3),
                hours: StudyHours::hours(hours),
                what: "区社工继续教育(演示)".into(),
            });
        }
        facts.push(QualificationFact::BankCard {
            card: card.then(|| format!("62220200{:08}", 1000 + n)),
            payment: PaymentMarker::BankTransfer,
        });
        // The third worker took 45 days of unpaid leave about a year and a half ago: the card
        // shows the suspension and the months it took; the recent rosters are not affected.
        if n == 2 {
            let from = ago(18);
            facts.push(QualificationFact::UnpaidLeave {
                from,
                to: from + chrono::Days::new(44),
                reference: "青石村请假审批表(演示)".into(),
            });
        }
        drafts.extend(facts.into_iter().map(|fact| NewEvent {
            actor: actor.clone(),
            unit: unit.clone(),
            entity: entity.clone(),
            body: EventBody::QualificationRecorded(fact),
        }));
    }
    drafts
}
