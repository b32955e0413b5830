//! The emulator's state: an in-memory map of records, optionally mirrored to a data
//! directory that several emulator processes may share.
//!
//! On disk every record is one file under `records/`, replaced atomically (temp file +
//! rename), so a reader never sees half a record. Writers take an advisory lock on
//! `lock` around read-modify-write and append the keys they changed to `journal`; every
//! process replays the journal tail before it reads, so its cache stays exact without
//! re-reading unchanged records. A LIST of one resource group or a PUT therefore costs
//! a few small reads and one file write, not a pass over the whole cloud. When the
//! journal grows past a limit a writer starts a new one with a fresh epoch line, and
//! readers that see a new epoch reload everything once.
//!
//! Files are not fsync'ed: the emulator promises atomic replacement and no lost
//! updates between processes, not durability across power loss.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use serde::{Deserialize, Serialize};

use super::error::{ArmError, EmulatorError};
use super::records::Record;

/// Above this many journal bytes a writer starts a new journal.
const JOURNAL_LIMIT: u64 = 1 << 20;

/// The record map and its optional disk mirror.
#[derive(Debug)]
pub struct Store {
    // Readers share it: LISTs of different resource groups render at the same time.
    inner: RwLock<Inner>,
    /// Whether other processes may write (a data directory): reads sync first.
    mirrored: bool,
}

#[derive(Debug)]
struct Inner {
    map: BTreeMap<String, Record>,
    disk: Option<Disk>,
}

#[derive(Debug)]
struct Disk {
    root: PathBuf,
    epoch: String,
    offset: u64,
}

/// The on-disk form of a record: the key travels with it.
#[derive(Serialize, Deserialize)]
struct Stored {
    key: String,
    #[serde(flatten)]
    record: Record,
}

/// Read access to the records.
pub struct View<'a> {
    map: &'a BTreeMap<String, Record>,
}

impl View<'_> {
    /// The record under `key`.
    pub fn get(&self, key: &str) -> Option<&Record> {
        self.map.get(key)
    }

    /// Records whose key starts with `prefix`, in key order.
    pub fn scan(&self, prefix: &str) -> Vec<(&String, &Record)> {
        self.map
            .range::<str, _>((Bound::Included(prefix), Bound::Unbounded))
            .take_while(|(k, _)| k.starts_with(prefix))
            .collect()
    }
}

/// A write transaction: reads see its own changes; nothing is applied unless the
/// closure returns `Ok`.
pub struct Tx<'a> {
    base: &'a BTreeMap<String, Record>,
    changes: BTreeMap<String, Option<Record>>,
}

impl Tx<'_> {
    /// The record under `key`, as changed by this transaction.
    pub fn get(&self, key: &str) -> Option<&Record> {
        match self.changes.get(key) {
            Some(change) => change.as_ref(),
            None => self.base.get(key),
        }
    }

    /// Records whose key starts with `prefix`, as changed by this transaction.
    pub fn scan(&self, prefix: &str) -> Vec<(String, Record)> {
        let mut merged: BTreeMap<String, Record> = View { map: self.base }
            .scan(prefix)
            .into_iter()
            .map(|(k, r)| (k.clone(), r.clone()))
            .collect();
        for (key, change) in self.changes.iter().filter(|(k, _)| k.starts_with(prefix)) {
            match change {
                Some(record) => merged.insert(key.clone(), record.clone()),
                None => merged.remove(key),
            };
        }
        merged.into_iter().collect()
    }

    /// Calls `f` for each record whose key starts with `prefix`, as changed by this
    /// transaction, without copying records.
    pub fn visit(&self, prefix: &str, mut f: impl FnMut(&str, &Record)) {
        let base = self
            .base
            .range::<str, _>((Bound::Included(prefix), Bound::Unbounded));
        for (key, record) in base.take_while(|(k, _)| k.starts_with(prefix)) {
            if !self.changes.contains_key(key) {
                f(key, record);
            }
        }
        for (key, change) in self.changes.iter().filter(|(k, _)| k.starts_with(prefix)) {
            if let Some(record) = change {
                f(key, record);
            }
        }
    }

    /// Stores `record` under `key`.
    pub fn put(&mut self, key: String, record: Record) {
        self.changes.insert(key, Some(record));
    }

    /// Removes the record under `key`.
    pub fn remove(&mut self, key: &str) {
        self.changes.insert(key.to_string(), None);
    }
}

impl Store {
    /// An in-memory store, or one mirrored to `data_dir` (created when missing).
    pub fn open(data_dir: Option<&Path>) -> Result<Store, EmulatorError> {
        let disk = match data_dir {
            Some(dir) => Some(Disk::open(dir)?),
            None => None,
        };
        let mut inner = Inner {
            map: BTreeMap::new(),
            disk,
        };
        if let Some(disk) = inner.disk.as_mut() {
            inner.map = disk.load_all()?;
        }
        Ok(Store {
            mirrored: inner.disk.is_some(),
            inner: RwLock::new(inner),
        })
    }

    /// Runs `f` on an up-to-date view of the records.
    pub fn read<R>(&self, f: impl FnOnce(&View<'_>) -> R) -> R {
        if self.mirrored {
            let mut inner = self.write_lock();
            let Inner { map, disk } = &mut *inner;
            if let Some(disk) = disk.as_mut() {
                disk.sync(map);
            }
        }
        // A write may land in between: the view is then newer, never older, than the
        // state when the request came in.
        let inner = self.read_lock();
        f(&View { map: &inner.map })
    }

    /// Runs `f` as a transaction; its changes are applied (and persisted) when it
    /// returns `Ok`. Other processes sharing the directory are locked out meanwhile.
    pub fn write<R>(
        &self,
        f: impl FnOnce(&mut Tx<'_>) -> Result<R, ArmError>,
    ) -> Result<R, ArmError> {
        let mut inner = self.write_lock();
        let Inner { map, disk } = &mut *inner;

        let _guard = match disk.as_mut() {
            Some(disk) => {
                let guard = disk.lock().map_err(storage_error)?;
                disk.sync(map);
                Some(guard)
            }
            None => None,
        };

        let mut tx = Tx {
            base: map,
            changes: BTreeMap::new(),
        };
        let result = f(&mut tx)?;
        let changes = tx.changes;

        if let Some(disk) = disk.as_mut() {
            disk.persist(&changes).map_err(storage_error)?;
        }
        for (key, change) in changes {
            match change {
                Some(record) => map.insert(key, record),
                None => map.remove(&key),
            };
        }
        Ok(result)
    }

    fn read_lock(&self) -> RwLockReadGuard<'_, Inner> {
        self.inner.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write_lock(&self) -> RwLockWriteGuard<'_, Inner> {
        self.inner.write().unwrap_or_else(|p| p.into_inner())
    }
}

fn storage_error(err: io::Error) -> ArmError {
    tracing::error!("emulator storage failed: {err}");
    ArmError::new(
        axum::http::StatusCode::INTERNAL_SERVER_ERROR,
        "InternalServerError",
        format!("The emulator could not write its state: {err}."),
    )
}

/// Holds the directory's advisory lock until dropped.
struct LockGuard(File);

impl Drop for LockGuard {
    fn drop(&mut self) {
        let _ = self.0.unlock();
    }
}

impl Disk {
    fn open(root: &Path) -> Result<Disk, EmulatorError> {
        let dir_error = |source| EmulatorError::DataDir {
            path: root.to_path_buf(),
            source,
        };
        fs::create_dir_all(root.join("records")).map_err(dir_error)?;
        let mut disk = Disk {
            root: root.to_path_buf(),
            epoch: String::new(),
            offset: 0,
        };

        let guard = disk.lock().map_err(dir_error)?;
        if !disk.journal_path().exists() {
            disk.new_journal().map_err(dir_error)?;
        }
        drop(guard);
        Ok(disk)
    }

    fn journal_path(&self) -> PathBuf {
        self.root.join("journal")
    }

    fn record_path(&self, key: &str) -> PathBuf {
        self.root.join("records").join(file_name(key))
    }

    fn lock(&self) -> io::Result<LockGuard> {
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(self.root.join("lock"))?;
        file.lock()?;
        Ok(LockGuard(file))
    }

    /// Reads every record and positions the journal cursor at its end.
    fn load_all(&mut self) -> Result<BTreeMap<String, Record>, EmulatorError> {
        let dir = self.root.join("records");
        let dir_error = |source| EmulatorError::DataDir {
            path: dir.clone(),
            source,
        };
        let (epoch, len) = read_journal_head(&self.journal_path()).map_err(dir_error)?;

        let mut map = BTreeMap::new();
        for entry in fs::read_dir(&dir).map_err(dir_error)? {
            let path = entry.map_err(dir_error)?.path();
            let is_record = path.extension().is_some_and(|e| e == "json")
                && !path
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'));
            if !is_record {
                continue;
            }
            let text = match fs::read(&path) {
                Ok(text) => text,
                // Deleted by another process since the listing: nothing to load.
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(dir_error(e)),
            };
            let stored: Stored =
                serde_json::from_slice(&text).map_err(|source| EmulatorError::CorruptRecord {
                    path: path.clone(),
                    source,
                })?;
            map.insert(stored.key, stored.record);
        }

        self.epoch = epoch;
        self.offset = len;
        Ok(map)
    }

    /// Applies what other processes wrote since the last sync.
    fn sync(&mut self, map: &mut BTreeMap<String, Record>) {
        if let Err(err) = self.try_sync(map) {
            tracing::warn!("emulator could not read its journal: {err}");
        }
    }

    fn try_sync(&mut self, map: &mut BTreeMap<String, Record>) -> io::Result<()> {
        let mut journal = File::open(self.journal_path())?;
        let len = journal.metadata()?.len();
        let mut head = String::new();
        (&mut journal).take(64).read_to_string(&mut head)?;
        let epoch = head.lines().next().unwrap_or_default().to_string();

        if epoch != self.epoch || len < self.offset {
            // A new journal: every cached record may be stale.
            match self.load_all() {
                Ok(fresh) => *map = fresh,
                Err(err) => return Err(io::Error::other(err.to_string())),
            }
            return Ok(());
        }
        if len == self.offset {
            return Ok(());
        }

        journal.seek(SeekFrom::Start(self.offset))?;
        let mut tail = Vec::new();
        journal.take(len - self.offset).read_to_end(&mut tail)?;
        // Only whole lines: a writer may be appending right now.
        let Some(end) = tail.iter().rposition(|&b| b == b'\n') else {
            return Ok(());
        };
        for key in String::from_utf8_lossy(&tail[..end])
            .lines()
            .filter(|k| !k.is_empty())
        {
            self.reload(map, key);
        }
        self.offset += end as u64 + 1;
        Ok(())
    }

    fn reload(&self, map: &mut BTreeMap<String, Record>, key: &str) {
        match fs::read(self.record_path(key)) {
            Ok(text) => match serde_json::from_slice::<Stored>(&text) {
                Ok(stored) => {
                    map.insert(stored.key, stored.record);
                }
                Err(err) => tracing::warn!("emulator skipped corrupt record {key}: {err}"),
            },
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                map.remove(key);
            }
            Err(err) => tracing::warn!("emulator could not read record {key}: {err}"),
        }
    }

    /// Writes changed records and appends their keys to the journal (lock held).
    fn persist(&mut self, changes: &BTreeMap<String, Option<Record>>) -> io::Result<()> {
        if changes.is_empty() {
            return Ok(());
        }
        for (key, change) in changes {
            let path = self.record_path(key);
            match change {
                Some(record) => {
                    let stored = Stored {
                        key: key.clone(),
                        record: record.clone(),
                    };
                    let text = serde_json::to_vec(&stored).map_err(io::Error::other)?;
                    let tmp = self
                        .root
                        .join("records")
                        .join(format!(".tmp-{}", uuid::Uuid::new_v4()));
                    fs::write(&tmp, text)?;
                    fs::rename(&tmp, &path)?;
                }
                None => match fs::remove_file(&path) {
                    Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
                    _ => {}
                },
            }
        }

        let mut lines = String::new();
        for key in changes.keys() {
            lines.push_str(key);
            lines.push('\n');
        }
        let mut journal = OpenOptions::new().append(true).open(self.journal_path())?;
        journal.write_all(lines.as_bytes())?;
        self.offset = journal.metadata()?.len();

        if self.offset > JOURNAL_LIMIT {
            self.new_journal()?;
        }
        Ok(())
    }

    /// Starts a journal with a fresh epoch line (lock held).
    fn new_journal(&mut self) -> io::Result<()> {
        let epoch = format!("aciform-emulator-journal {}", uuid::Uuid::new_v4());
        let tmp = self.root.join(format!(".journal-{}", uuid::Uuid::new_v4()));
        fs::write(&tmp, format!("{epoch}\n"))?;
        fs::rename(&tmp, self.journal_path())?;
        self.offset = epoch.len() as u64 + 1;
        self.epoch = epoch;
        Ok(())
    }
}

fn read_journal_head(path: &Path) -> io::Result<(String, u64)> {
    let mut file = File::open(path)?;
    let len = file.metadata()?.len();
    let mut head = String::new();
    (&mut file).take(64).read_to_string(&mut head)?;
    Ok((head.lines().next().unwrap_or_default().to_string(), len))
}

/// A file name for a key: safe characters kept, everything else `%XX`-escaped.
fn file_name(key: &str) -> String {
    let mut name = String::with_capacity(key.len() + 5);
    for byte in key.bytes() {
        if byte.is_ascii_lowercase() || byte.is_ascii_digit() || b"-_.()".contains(&byte) {
            name.push(byte as char);
        } else {
            name.push_str(&format!("%{byte:02X}"));
        }
    }
    name.push_str(".json");
    name
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::records::RgRecord;

    fn rg(name: &str) -> Record {
        Record::ResourceGroup(RgRecord {
            sub: "s".into(),
            name: name.into(),
            location: "westus".into(),
            tags: None,
            managed_by: None,
            created_ms: 0,
            deleting: None,
        })
    }

    #[test]
    fn a_failed_transaction_changes_nothing() {
        let store = Store::open(None).expect("store");
        let result: Result<(), ArmError> = store.write(|tx| {
            tx.put("rg/s/a".into(), rg("a"));
            Err(ArmError::bad_request("X", "no"))
        });
        assert!(result.is_err());
        assert!(store.read(|v| v.get("rg/s/a").is_none()));
    }

    #[test]
    fn two_stores_on_one_directory_see_each_others_writes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let one = Store::open(Some(dir.path())).expect("one");
        let two = Store::open(Some(dir.path())).expect("two");

        one.write(|tx| {
            tx.put("rg/s/a".into(), rg("a"));
            Ok(())
        })
        .expect("write a");
        two.write(|tx| {
            tx.put("rg/s/b".into(), rg("b"));
            Ok(())
        })
        .expect("write b");
        assert_eq!(one.read(|v| v.scan("rg/s/").len()), 2);
        two.write(|tx| {
            tx.remove("rg/s/a");
            Ok(())
        })
        .expect("remove a");
        assert_eq!(one.read(|v| v.scan("rg/s/").len()), 1);

        let reopened = Store::open(Some(dir.path())).expect("reopen");
        assert_eq!(reopened.read(|v| v.scan("rg/s/").len()), 1);
    }

    #[test]
    fn a_new_journal_makes_readers_reload() {
        let dir = tempfile::tempdir().expect("tempdir");
        let one = Store::open(Some(dir.path())).expect("one");
        let two = Store::open(Some(dir.path())).expect("two");
        one.write(|tx| {
            tx.put("rg/s/a".into(), rg("a"));
            Ok(())
        })
        .expect("write");
        {
            let mut inner = one.write_lock();
            let disk = inner.disk.as_mut().expect("disk");
            disk.new_journal().expect("rotate");
        }
        one.write(|tx| {
            tx.put("rg/s/b".into(), rg("b"));
            Ok(())
        })
        .expect("write");
        assert_eq!(two.read(|v| v.scan("rg/s/").len()), 2);
    }

    #[test]
    fn keys_become_safe_file_names() {
        assert_eq!(file_name("cg/s/rg/Web"), "cg%2Fs%2Frg%2F%57eb.json");
        assert_eq!(file_name("rg/s/a(b).c"), "rg%2Fs%2Fa(b).c.json");
    }
}
