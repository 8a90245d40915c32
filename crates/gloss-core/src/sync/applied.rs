//! Which ops of the sync folder the database already reflects: per device,
//! runs of op numbers (usually one run each; a gap lasts only while a sync
//! tool delivers a device's files out of order).
//!
//! A device re-reads the whole folder when Gloss starts, since the merged
//! state lives in memory; only the registers of ops missing here are then
//! written to the database, so a restart costs a read, not a rewrite.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rusqlite::{params, Connection};

use crate::store::Result;
use gloss_sync::{DeviceId, OpId};

#[derive(Debug, Default)]
pub(crate) struct Applied {
    /// Per device: first op number of each run → its last.
    runs: HashMap<DeviceId, BTreeMap<u64, u64>>,
    /// Devices whose runs changed since loading or saving.
    dirty: BTreeSet<DeviceId>,
}

impl Applied {
    pub fn load(conn: &Connection) -> Result<Applied> {
        let mut applied = Applied::default();
        let mut stmt = conn.prepare_cached("SELECT device, first, last FROM sync_applied")?;
        let rows =
            stmt.query_map([], |row| Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?, row.get::<_, i64>(2)?)))?;
        for row in rows {
            let (device, first, last) = row?;
            // Rows this Gloss wrote; anything else is ignored (and its ops applied again, harmlessly).
            if let (Ok(device), Ok(first), Ok(last)) = (device.parse(), u64::try_from(first), u64::try_from(last)) {
                applied.runs.entry(device).or_default().insert(first, last);
            }
        }
        Ok(applied)
    }

    pub fn contains(&self, id: &OpId) -> bool {
        self.runs
            .get(&id.device)
            .and_then(|runs| runs.range(..=id.seq).next_back())
            .is_some_and(|(_, &last)| last >= id.seq)
    }

    /// Notes an op as applied; false if it already was.
    pub fn insert(&mut self, id: &OpId) -> bool {
        if self.contains(id) {
            return false;
        }
        let runs = self.runs.entry(id.device.clone()).or_default();
        let seq = id.seq;
        let mut first = seq;
        let mut last = seq;
        if let Some((&before, &end)) = runs.range(..seq).next_back() {
            if end.checked_add(1) == Some(seq) {
                first = before;
            }
        }
        if let Some(after) = seq.checked_add(1) {
            if let Some(end) = runs.remove(&after) {
                last = end;
            }
        }
        runs.insert(first, last);
        self.dirty.insert(id.device.clone());
        true
    }

    pub fn save(&mut self, conn: &Connection) -> Result<()> {
        for device in std::mem::take(&mut self.dirty) {
            conn.prepare_cached("DELETE FROM sync_applied WHERE device = ?1")?.execute([device.as_str()])?;
            for (&first, &last) in self.runs.get(&device).into_iter().flatten() {
                let as_sql = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
                conn.prepare_cached("INSERT INTO sync_applied (device, first, last) VALUES (?1, ?2, ?3)")?
                    .execute(params![device.as_str(), as_sql(first), as_sql(last)])?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_join_up_whatever_the_order_and_survive_a_reload() {
        let device: DeviceId = "00000000000000aa".parse().unwrap();
        let id = |seq| OpId { device: device.clone(), seq };
        let mut applied = Applied::default();
        for seq in [1, 2, 5, 4, 7] {
            assert!(applied.insert(&id(seq)));
        }
        assert!(!applied.insert(&id(4)));
        assert_eq!(applied.runs[&device].iter().map(|(a, b)| (*a, *b)).collect::<Vec<_>>(), [(1, 2), (4, 5), (7, 7)]);
        applied.insert(&id(3));
        applied.insert(&id(6));
        assert_eq!(applied.runs[&device].len(), 1);
        assert!(applied.contains(&id(7)) && !applied.contains(&id(8)));

        let data = tempfile::tempdir().unwrap();
        let store = crate::store::Store::open(data.path()).unwrap();
        store.write(|conn| applied.save(conn)).unwrap();
        let loaded = store.read(|conn| Applied::load(conn)).unwrap();
        assert!((1..=7).all(|seq| loaded.contains(&id(seq))) && !loaded.contains(&id(8)));
    }
}
