//! `cunju-server verify`: recompute every device's hash chain from the stored rows.

use cunju_domain::event::{Event, check_next_across};

use crate::store::{Result, Store};

/// One problem found in a device's chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainBreak {
    pub device: String,
    pub seq: i64,
    pub problem: String,
}

impl std::fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "device {} seq {}: {}",
            self.device, self.seq, self.problem
        )
    }
}

/// Every break in every device's chain; empty means the log is intact. Each event is checked
/// against its own hash and against the event stored before it (directly, or through events of
/// the device that were refused and recorded as rejections), so an altered, missing or
/// reordered event is reported where it happens.
pub async fn verify(store: &Store) -> Result<Vec<ChainBreak>> {
    let mut breaks = Vec::new();
    for device in store.devices().await? {
        // A chain may run through events the server refused (`check_next_across`).
        let refused = store.refused_events(&device).await?;
        // `None` after an unreadable row: the link to the next event cannot be checked.
        let mut prev: Option<Option<Event>> = Some(None);
        for (seq, row) in store.device_events(&device).await? {
            let brk = |problem: String| ChainBreak {
                device: device.clone(),
                seq,
                problem,
            };
            let event = match row {
                Ok(event) => event,
                Err(e) => {
                    breaks.push(brk(format!("row cannot be read: {e}")));
                    prev = None;
                    continue;
                }
            };
            if !event.hash_ok() {
                breaks.push(brk("hash does not match the stored content".into()));
            }
            if let Some(before) = &prev
                && let Err(e) = check_next_across(before.as_ref(), &refused, &event)
            {
                breaks.push(brk(format!("chain broken: {e}")));
            }
            prev = Some(Some(event));
        }
    }
    Ok(breaks)
}
