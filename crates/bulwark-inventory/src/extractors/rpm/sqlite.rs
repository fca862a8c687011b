//! rpm's sqlite backend (`rpmdb.sqlite`, rpm ≥ 4.16): table `Packages(hnum, blob)`.
//!
//! The file arrives as bytes. It is copied into memory that SQLite owns and
//! opened read-only with `sqlite3_deserialize`, so nothing touches the disk and
//! no temporary file can be left behind or raced.

use super::Blob;
use rusqlite::{serialize::OwnedData, Connection, DatabaseName, OpenFlags};
use std::borrow::Cow;
use std::ptr::NonNull;

/// Every SQLite database file starts with this.
pub(super) const MAGIC: &[u8] = b"SQLite format 3\0";
/// Size of the SQLite database file header.
const FILE_HEADER_SIZE: usize = 100;
/// Offsets of the file format write/read version bytes (2 = WAL mode).
const FORMAT_VERSION_BYTES: [usize; 2] = [18, 19];

/// Fewest bytes a Packages row takes in the file besides its blob (cell pointer, sizes, record header).
const MIN_ROW_SIZE: usize = 4;

/// Reads every (hnum, header blob) row of the `Packages` table, in hnum order.
pub(super) fn blobs(data: &[u8]) -> Result<Vec<Blob<'static>>, String> {
    let conn = open(data).map_err(|e| format!("sqlite: {e}"))?;
    check_schema(&conn)?;
    let mut stmt = conn.prepare("SELECT hnum, blob FROM Packages ORDER BY hnum").map_err(|e| format!("sqlite: {e}"))?;
    let mut rows = stmt.query([]).map_err(|e| format!("sqlite: {e}"))?;
    // Each row's blob is stored once in the file, so a well-formed database yields at most
    // its own size in blobs. A corrupt b-tree that reaches the same pages again and again
    // could yield far more: stop it here.
    let mut budget = data.len();
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(|e| format!("sqlite: {e}"))? {
        let key: i64 = row.get(0).map_err(|e| format!("sqlite: Packages.hnum: {e}"))?;
        if out.last().is_some_and(|prev: &Blob| prev.key >= key) {
            return Err(format!("sqlite: Packages row {key} comes twice or out of order (corrupt b-tree)"));
        }
        let blob = row
            .get_ref(1)
            .and_then(|v| v.as_blob().map_err(Into::into))
            .map_err(|e| format!("sqlite: Packages row {key}: blob: {e}"))?;
        budget = budget
            .checked_sub(blob.len() + MIN_ROW_SIZE)
            .ok_or("sqlite: Packages yields more data than the file holds (corrupt b-tree)")?;
        out.push(Blob { key, data: Cow::Owned(blob.to_vec()) });
    }
    Ok(out)
}

/// Opens `data` as a read-only in-memory database.
fn open(data: &[u8]) -> Result<Connection, String> {
    if data.len() < FILE_HEADER_SIZE || !data.starts_with(MAGIC) {
        return Err("not an SQLite database".to_string());
    }
    check_size(data)?;
    let mut conn =
        Connection::open_in_memory_with_flags(OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)
            .map_err(|e| e.to_string())?;
    conn.deserialize(DatabaseName::Main, sqlite_copy(data)?, true).map_err(|e| e.to_string())?;
    // A hostile file's schema must not run code on our behalf.
    conn.execute_batch("PRAGMA trusted_schema = OFF; PRAGMA query_only = ON;").map_err(|e| e.to_string())?;
    conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_DEFENSIVE, true).map_err(|e| e.to_string())?;
    Ok(conn)
}

/// A truncated file must be an error, not a database that silently lacks its last pages.
fn check_size(data: &[u8]) -> Result<(), String> {
    let h: &[u8; FILE_HEADER_SIZE] =
        data.get(..FILE_HEADER_SIZE).and_then(|h| h.try_into().ok()).ok_or("no SQLite file header")?;
    let be32 = |at: usize| u32::from_be_bytes([h[at], h[at + 1], h[at + 2], h[at + 3]]);
    let page_size = match u16::from_be_bytes([h[16], h[17]]) {
        1 => 65536,
        n => usize::from(n),
    };
    if !(512..=65536).contains(&page_size) || !page_size.is_power_of_two() {
        return Err(format!("bad page size {page_size}"));
    }
    if !data.len().is_multiple_of(page_size) {
        return Err(format!("{} bytes is not a whole number of {page_size}-byte pages (truncated?)", data.len()));
    }
    // The in-header page count is valid when the change counter matches "version-valid-for".
    let pages = be32(28) as usize;
    if be32(24) == be32(92) && pages.checked_mul(page_size).is_none_or(|n| n > data.len()) {
        return Err(format!(
            "header declares {pages} pages of {page_size} bytes but the file has {} (truncated?)",
            data.len()
        ));
    }
    Ok(())
}

/// Copies `bytes` into memory from `sqlite3_malloc64`, which `sqlite3_deserialize` takes ownership of.
///
/// The in-memory VFS cannot open a database marked as WAL, so the copy is marked
/// as a rollback-journal database instead: the pages are the same; only the
/// `-wal` file, which an image scan never hands us with the database, would differ.
fn sqlite_copy(bytes: &[u8]) -> Result<OwnedData, String> {
    // SAFETY: sqlite3_malloc64 returns either NULL or a block of at least `len` bytes.
    let raw = unsafe { rusqlite::ffi::sqlite3_malloc64(bytes.len() as u64) };
    let ptr = NonNull::new(raw.cast::<u8>()).ok_or("cannot allocate memory for the database")?;
    // SAFETY: `ptr` is a fresh allocation of `bytes.len()` bytes, which cannot overlap
    // `bytes`; once filled it is initialised, so it may be viewed as a slice.
    let copy = unsafe {
        std::ptr::copy_nonoverlapping(bytes.as_ptr(), ptr.as_ptr(), bytes.len());
        std::slice::from_raw_parts_mut(ptr.as_ptr(), bytes.len())
    };
    for at in FORMAT_VERSION_BYTES {
        if let Some(b @ 2) = copy.get_mut(at) {
            *b = 1;
        }
    }
    // SAFETY: the block came from sqlite3_malloc64, as OwnedData requires; `copy` is not
    // used again, so OwnedData is its sole owner (and frees it with sqlite3_free).
    Ok(unsafe { OwnedData::from_raw_nonnull(ptr, bytes.len()) })
}

/// `Packages` must be a plain table with plain `hnum` and `blob` columns: no view,
/// virtual table or generated column whose evaluation the file would control.
fn check_schema(conn: &Connection) -> Result<(), String> {
    let kind: Option<String> = conn
        .query_row("SELECT type FROM pragma_table_list WHERE schema = 'main' AND name = 'Packages'", [], |r| r.get(0))
        .map(Some)
        .or_else(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Ok(None),
            e => Err(e),
        })
        .map_err(|e| format!("sqlite: {e}"))?;
    match kind.as_deref() {
        Some("table") => {}
        Some(other) => return Err(format!("sqlite: Packages is a {other}, not a table")),
        None => return Err("sqlite: no Packages table".to_string()),
    }
    let mut stmt = conn
        .prepare("SELECT name, hidden FROM pragma_table_xinfo('Packages') WHERE name IN ('hnum', 'blob')")
        .map_err(|e| format!("sqlite: {e}"))?;
    let columns = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
        .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
        .map_err(|e| format!("sqlite: {e}"))?;
    if columns.len() != 2 || columns.iter().any(|(_, hidden)| *hidden != 0) {
        return Err("sqlite: Packages does not have plain hnum and blob columns".to_string());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_btree_that_revisits_a_leaf_is_an_error() {
        let mut db = db_with(
            "PRAGMA page_size = 512;
             CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL);
             WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 40)
             INSERT INTO Packages SELECT x, zeroblob(100) FROM n;",
        );
        assert_eq!(blobs(&db).unwrap().len(), 40);
        let root: usize = {
            let mut c = Connection::open_in_memory().unwrap();
            c.deserialize(DatabaseName::Main, sqlite_copy(&db).unwrap(), true).unwrap();
            c.query_row("SELECT rootpage FROM sqlite_master WHERE name = 'Packages'", [], |r| r.get(0)).unwrap()
        };
        // The root is an interior table page: point its right-most child at its first child.
        let page = (root - 1) * 512;
        assert_eq!(db[page], 0x05, "interior table b-tree page");
        let first_cell = usize::from(u16::from_be_bytes([db[page + 12], db[page + 13]]));
        let first_child: [u8; 4] = db[page + first_cell..page + first_cell + 4].try_into().unwrap();
        db[page + 8..page + 12].copy_from_slice(&first_child);
        let err = blobs(&db).unwrap_err();
        assert!(err.contains("comes twice or out of order"), "{err}");
    }

    fn db_with(schema: &str) -> Vec<u8> {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(schema).unwrap();
        conn.serialize(DatabaseName::Main).unwrap().to_vec()
    }

    #[test]
    fn reads_rows_in_hnum_order() {
        let db = db_with(
            "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL);
             INSERT INTO Packages VALUES (7, x'0102'), (3, x'03');",
        );
        let got: Vec<(i64, Vec<u8>)> = blobs(&db).unwrap().into_iter().map(|b| (b.key, b.data.into_owned())).collect();
        assert_eq!(got, vec![(3, vec![3]), (7, vec![1, 2])]);
    }

    #[test]
    fn refuses_views_generated_columns_and_other_shapes() {
        let cases = [
            ("no table", "CREATE TABLE Other (x);"),
            ("view", "CREATE VIEW Packages AS SELECT 1 AS hnum, zeroblob(10) AS blob;"),
            ("generated", "CREATE TABLE Packages (hnum INTEGER, blob BLOB AS (zeroblob(999999999)));"),
            ("missing column", "CREATE TABLE Packages (hnum INTEGER);"),
            ("text blob", "CREATE TABLE Packages (hnum INTEGER, blob); INSERT INTO Packages VALUES (1, 'text');"),
        ];
        for (what, schema) in cases {
            assert!(blobs(&db_with(schema)).is_err(), "{what}");
        }
        assert!(blobs(b"SQLite format 3\0").is_err());
        assert!(blobs(&db_with(
            "CREATE TABLE Packages (hnum, blob); INSERT INTO Packages VALUES (1, x'01'), (1, x'02');"
        ))
        .is_err());
        assert!(blobs(&[0u8; 4096]).is_err());
    }
}
