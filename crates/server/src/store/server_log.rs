//! The server's own device log: events the server writes itself (unit imports, demo data),
//! numbered, timestamped and hash-chained by the domain's `DeviceLog` exactly like a phone's,
//! so `verify` checks them and every device receives them through pull.
//!
//! The device is `d` + 32 hex digits, made once per database (`server_device`). Its chain state
//! is its last stored event; a writer holds the database lock (SQLite `BEGIN IMMEDIATE`) or the
//! `server_device` row (PostgreSQL `FOR UPDATE`) while it extends the chain, so two writers
//! cannot fork it. Events are inserted in multi-row batches inside one transaction: all or none.

use cunju_domain::clock::HlcClock;
use cunju_domain::event::{DeviceLog, Event, NewEvent};
use cunju_domain::ids::DeviceId;
use sqlx::{Postgres, Sqlite, Transaction};

use super::events::{EVENT_COLUMNS, EventRow, ROWS_PER_INSERT, insert_rows, stored_event};
use super::{Result, Store, StoreError, db_text, from_db_text};

/// The `actor` of events the server writes on an administrator's command.
pub const SERVER_ACTOR: &str = "system";

impl Store {
    /// Appends `drafts` to the server's device log in one transaction and returns the events
    /// as stored. Every draft is checked first (`NewEvent::validate`); one bad draft writes
    /// nothing.
    pub async fn append_server_events(
        &self,
        drafts: Vec<NewEvent>,
        now_ms: i64,
    ) -> Result<Vec<Event>> {
        if let Some(e) = drafts.iter().find_map(|d| d.validate().err()) {
            return Err(StoreError::InvalidEvent(e.to_string()));
        }
        if drafts.is_empty() {
            return Ok(Vec::new());
        }
        match self {
            Store::Sqlite(pool) => {
                let writer = super::sqlite_writer(pool);
                let _turn = writer.turn.lock().await;
                let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                let events = append_sqlite(&mut tx, drafts, now_ms).await?;
                tx.commit().await?;
                Ok(events)
            }
            Store::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                let events = append_postgres(&mut tx, drafts, now_ms).await?;
                tx.commit().await?;
                Ok(events)
            }
        }
    }

    /// The server's device id, made on first use.
    pub async fn server_device(&self) -> Result<DeviceId> {
        let fresh = db_text(&DeviceId::from_random(rand::random()));
        let device: String = super::on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO server_device (id, device) VALUES (1, $1) ON CONFLICT DO NOTHING",
            )
            .bind(&fresh)
            .execute(pool)
            .await?;
            sqlx::query_scalar("SELECT device FROM server_device WHERE id = 1")
                .fetch_one(pool)
                .await?
        });
        from_db_text(&device)
    }
}

/// Continues the server device's chain from its last stored event.
fn resume(device: DeviceId, last: Option<Event>) -> DeviceLog {
    let mut log = DeviceLog::new(device);
    if let Some(last) = last {
        log.next_seq = last.seq + 1;
        log.last_hash = last.hash;
        log.clock = HlcClock { last: last.hlc };
    }
    log
}

fn make_events(mut log: DeviceLog, drafts: Vec<NewEvent>, now_ms: i64) -> Vec<Event> {
    let now = u64::try_from(now_ms).unwrap_or_default();
    drafts
        .into_iter()
        .map(|draft| log.append(draft, now, rand::random()))
        .collect()
}

/// `append_sqlite` and `append_postgres`: the same steps; only the row lock differs.
macro_rules! append_fn {
    ($name:ident, $db:ty, $lock:literal) => {
        async fn $name(
            tx: &mut Transaction<'_, $db>,
            drafts: Vec<NewEvent>,
            now_ms: i64,
        ) -> Result<Vec<Event>> {
            let fresh = db_text(&DeviceId::from_random(rand::random()));
            sqlx::query(
                "INSERT INTO server_device (id, device) VALUES (1, $1) ON CONFLICT DO NOTHING",
            )
            .bind(&fresh)
            .execute(&mut **tx)
            .await?;
            let device: String = sqlx::query_scalar(concat!(
                "SELECT device FROM server_device WHERE id = 1",
                $lock
            ))
            .fetch_one(&mut **tx)
            .await?;
            let sql = format!(
                "SELECT {EVENT_COLUMNS} FROM events WHERE device = $1 ORDER BY seq DESC LIMIT 1"
            );
            let last = sqlx::query(&sql)
                .bind(&device)
                .fetch_optional(&mut **tx)
                .await?
                .map(|r| stored_event(&r).map(|s| s.event))
                .transpose()?;
            let events = make_events(resume(from_db_text(&device)?, last), drafts, now_ms);
            let rows = events
                .iter()
                .map(EventRow::of)
                .collect::<Result<Vec<_>>>()?;
            let pushed_by = SERVER_ACTOR;
            for chunk in rows.chunks(ROWS_PER_INSERT) {
                let mut insert = insert_rows::<$db>(chunk, pushed_by, now_ms);
                insert.build().execute(&mut **tx).await?;
            }
            Ok(events)
        }
    };
}

append_fn!(append_sqlite, Sqlite, "");
append_fn!(append_postgres, Postgres, " FOR UPDATE");

#[cfg(test)]
mod tests {
    use super::*;
    use cunju_domain::event::EventBody;

    fn note(text: &str) -> NewEvent {
        NewEvent {
            actor: SERVER_ACTOR.parse().unwrap(),
            unit: "5099".parse().unwrap(),
            entity: "unit:5099".parse().unwrap(),
            body: EventBody::Note { text: text.into() },
        }
    }

    #[test]
    fn the_chain_resumes_after_the_last_stored_event() {
        let device: DeviceId = "dserver".parse().unwrap();
        let first = make_events(
            resume(device.clone(), None),
            vec![note("一"), note("二")],
            5,
        );
        assert_eq!((first[0].seq, first[1].seq), (1, 2));
        let next = make_events(resume(device, first.last().cloned()), vec![note("三")], 1);
        assert_eq!(next[0].seq, 3);
        assert_eq!(next[0].prev, first[1].hash);
        assert!(
            next[0].hlc > first[1].hlc,
            "a clock that went back still moves forward"
        );
        assert!(next[0].hash_ok());
    }
}
