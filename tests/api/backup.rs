//! Backup and restore (`src/backup/`). These are about the SQLite file, so the apps here
//! always run on SQLite, whatever TRELLIS_TEST_DATABASE_URL says; the PostgreSQL case is
//! `trellis backup` printing the pg_dump command.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use diesel::prelude::*;
use trellis::db::audit::{self, NewAudit};
use trellis::db::Db;
use trellis::domain::audit_action::{ActorKind, AuditAction};

use crate::helpers::{random_suffix, spawn_app_with, TestApp};

/// The action of the test rows: one nothing else in these tests writes.
const ACTION: AuditAction = AuditAction::PracticeExport;

/// A folder of its own, removed on drop.
struct Folder(PathBuf);

impl Folder {
    fn new() -> Folder {
        let path = std::env::temp_dir().join(format!("trellis-backup-{}", random_suffix()));
        std::fs::create_dir_all(&path).expect("create a temp folder");
        Folder(path)
    }
    fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Folder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

async fn spawn_sqlite_app(database: &Path) -> TestApp {
    let url = format!("sqlite://{}", database.display());
    spawn_app_with(move |s| s.database.url = url.into()).await
}

/// Record one audit row (the product's own write path); returns once it is committed.
fn write_row(db: &Db, marker: &str) {
    let event = NewAudit::new(ActorKind::System, None, ACTION, marker);
    db.write_blocking(move |conn| Ok(audit::record(conn, &event)?))
        .expect("the write commits");
}

/// The markers of the test rows in a SQLite file.
fn markers_in(file: &Path) -> HashSet<String> {
    use trellis::db::schema::audit_log;
    let mut conn = SqliteConnection::establish(&file.display().to_string()).expect("open a copy");
    audit_log::table
        .filter(audit_log::action.eq(ACTION.as_str()))
        .select(audit_log::request_id)
        .load::<String>(&mut conn)
        .expect("read the test rows")
        .into_iter()
        .collect()
}

/// Run the real binary with only the given database URL configured.
fn trellis(dir: &Path, database_url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_trellis"))
        .args(args)
        .current_dir(dir)
        .env("TRELLIS__DATABASE__URL", database_url)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run trellis")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_under_concurrent_writes_holds_every_write_acknowledged_before_it_began() {
    // Arrange: a server, and a writer committing rows through it as fast as it can.
    let folder = Folder::new();
    let database = folder.join("trellis.db");
    let app = spawn_sqlite_app(&database).await;
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (db, acknowledged, stop) = (app.db.clone(), acknowledged.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                let marker = format!("w{n}");
                write_row(&db, &marker);
                acknowledged.lock().unwrap().push(marker);
                n += 1;
            }
        })
    };
    while acknowledged.lock().unwrap().len() < 300 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    // Act: back up while the writer goes on.
    let before: Vec<String> = acknowledged.lock().unwrap().clone();
    let out = folder.join("backups/copy.db");
    let (db_path, out_path) = (database.clone(), out.clone());
    let (summary, _) =
        tokio::task::spawn_blocking(move || trellis::backup::backup(&db_path, &out_path))
            .await
            .unwrap()
            .expect("the backup succeeds");
    tokio::time::sleep(Duration::from_millis(200)).await;
    stop.store(true, Ordering::Relaxed);
    writer.join().unwrap();

    // Assert
    let after = acknowledged.lock().unwrap().len();
    assert!(
        after > before.len(),
        "the writer kept writing during the backup"
    );
    let copied = markers_in(&out);
    let missing: Vec<&String> = before.iter().filter(|m| !copied.contains(*m)).collect();
    assert!(
        missing.is_empty(),
        "writes missing from the backup: {missing:?}"
    );
    assert!(trellis::backup::verify(&out).unwrap().is_empty());
    let audit_rows = summary
        .tables
        .iter()
        .find(|(t, _)| t == "audit_log")
        .map(|(_, n)| *n);
    assert!(audit_rows >= Some(before.len() as i64));
    assert_eq!(summary.sha256.len(), 64);
}

#[tokio::test]
async fn a_restore_round_trips_and_a_crashed_servers_leftover_log_is_not_replayed() {
    // Arrange: a backup of a server's database, which then changes again.
    let folder = Folder::new();
    let database = folder.join("trellis.db");
    let app = spawn_sqlite_app(&database).await;
    for n in 0..50 {
        write_row(&app.db, &format!("before-{n}"));
    }
    let backup_file = folder.join("backup.db");
    let (summary, _) = trellis::backup::backup(&database, &backup_file).unwrap();
    for n in 0..20 {
        write_row(&app.db, &format!("after-{n}"));
    }
    // The target: a database whose server crashed, committed rows still in its -wal.
    let target_dir = folder.join("elsewhere");
    std::fs::create_dir_all(&target_dir).unwrap();
    let target = target_dir.join("trellis.db");
    {
        let scratch = folder.join("scratch.db");
        let mut conn = SqliteConnection::establish(&scratch.display().to_string()).unwrap();
        diesel::connection::SimpleConnection::batch_execute(
            &mut conn,
            "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0; \
             CREATE TABLE leftover (x INTEGER); INSERT INTO leftover VALUES (1), (2), (3);",
        )
        .unwrap();
        std::fs::copy(&scratch, &target).unwrap();
        std::fs::copy(
            folder.join("scratch.db-wal"),
            target_dir.join("trellis.db-wal"),
        )
        .unwrap();
    }
    assert!(
        std::fs::metadata(target_dir.join("trellis.db-wal"))
            .unwrap()
            .len()
            > 0
    );

    // Act: the command line, as an operator would run it.
    let output = trellis(
        &folder.0,
        &format!("sqlite://{}", target.display()),
        &["restore", &backup_file.display().to_string()],
    );

    // Assert
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(stdout.contains(&summary.sha256), "{stdout}");
    assert!(!target_dir.join("trellis.db-wal").exists());
    let restored = trellis::backup::summarise(&target).unwrap();
    assert_eq!(restored.sha256, summary.sha256);
    assert_eq!(restored.tables, summary.tables);
    // Opened the way a server opens it: the backup's rows, not the leftover log's.
    let markers = markers_in(&target);
    assert_eq!(markers.len(), 50);
    assert!(markers.contains("before-49") && !markers.contains("after-0"));
    let mut conn = SqliteConnection::establish(&target.display().to_string()).unwrap();
    let leftover = diesel::sql_query("SELECT x FROM leftover").execute(&mut conn);
    assert!(leftover.is_err(), "the old database's table came back");
    // The old database is kept aside, its log beside it.
    let aside: Vec<String> = std::fs::read_dir(&target_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("trellis.db.before-restore-"))
        .collect();
    assert_eq!(aside.len(), 2, "{aside:?}");
    assert!(aside.iter().any(|n| n.ends_with("-wal")));
}

#[tokio::test]
async fn a_restore_is_refused_while_a_server_holds_the_database() {
    // Arrange
    let folder = Folder::new();
    let database = folder.join("trellis.db");
    let app = spawn_sqlite_app(&database).await;
    write_row(&app.db, "kept");
    let backup_file = folder.join("backup.db");
    trellis::backup::backup(&database, &backup_file).unwrap();

    // Act
    let output = trellis(
        &folder.0,
        &format!("sqlite://{}", database.display()),
        &["restore", &backup_file.display().to_string()],
    );

    // Assert
    assert!(!output.status.success());
    let stderr = text(&output.stderr);
    assert!(stderr.contains("a Trellis server is using"), "{stderr}");
    assert!(trellis::backup::restore(&database, &backup_file, chrono::Utc::now()).is_err());
    let touched = std::fs::read_dir(&folder.0)
        .unwrap()
        .filter_map(|e| e.ok())
        .any(|e| e.file_name().to_string_lossy().contains("restore"));
    assert!(!touched, "nothing may be moved while the server runs");
    write_row(&app.db, "still writable");
}

#[tokio::test]
async fn verify_accepts_a_good_backup_and_fails_on_a_corrupted_copy() {
    // Arrange: a backup, and a copy of it with bytes flipped at the start of every page.
    let folder = Folder::new();
    let database = folder.join("trellis.db");
    let app = spawn_sqlite_app(&database).await;
    write_row(&app.db, "one");
    let good = folder.join("good.db");
    trellis::backup::backup(&database, &good).unwrap();
    let mut bytes = std::fs::read(&good).unwrap();
    let page = match u16::from_be_bytes([bytes[16], bytes[17]]) {
        1 => 65536,
        n => n as usize,
    };
    for start in (page..bytes.len()).step_by(page) {
        for b in &mut bytes[start..start + 8] {
            *b ^= 0xFF;
        }
    }
    let bad = folder.join("bad.db");
    std::fs::write(&bad, &bytes).unwrap();
    let url = format!("sqlite://{}", database.display());

    // Act
    let on_good = trellis(
        &folder.0,
        &url,
        &["backup", "--verify", &good.display().to_string()],
    );
    let on_bad = trellis(
        &folder.0,
        &url,
        &["backup", "--verify", &bad.display().to_string()],
    );

    // Assert
    assert!(on_good.status.success(), "{}", text(&on_good.stderr));
    assert!(text(&on_good.stdout).contains("integrity_check ok, foreign_key_check ok"));
    assert!(!on_bad.status.success(), "{}", text(&on_bad.stdout));
    // A restore from the bad copy is refused before anything moves.
    let target = folder.join("other.db");
    assert!(trellis::backup::restore(&target, &bad, chrono::Utc::now()).is_err());
    assert!(!target.exists());
}

#[tokio::test]
async fn backup_on_postgresql_prints_the_pg_dump_command_without_the_password() {
    let folder = Folder::new();
    let output = trellis(
        &folder.0,
        "postgres://trellis:s3cret-pw@db.internal:5432/trellis_prod",
        &["backup"],
    );
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert!(
        !output.status.success(),
        "no backup was made, and the exit code says so"
    );
    assert!(
        stdout.contains("pg_dump --format=custom --file=trellis-")
            && stdout.contains("--dbname='postgres://trellis@db.internal:5432/trellis_prod'"),
        "{stdout}"
    );
    assert!(stdout.contains("pg_restore"));
    assert!(!stdout.contains("s3cret-pw") && !stderr.contains("s3cret-pw"));
}

#[tokio::test]
async fn the_server_takes_scheduled_backups_and_prunes_only_backup_files() {
    // Arrange: older backups and a file that only looks similar.
    let folder = Folder::new();
    let backups = folder.join("backups");
    std::fs::create_dir_all(&backups).unwrap();
    for day in 1..=9 {
        std::fs::write(
            backups.join(format!("trellis-202601{day:02}T030000Z.db")),
            b"old",
        )
        .unwrap();
    }
    std::fs::write(backups.join("notes.txt"), b"mine").unwrap();
    let database = folder.join("trellis.db");
    let url = format!("sqlite://{}", database.display());
    let dir = backups.display().to_string();

    // Act
    let _app = spawn_app_with(move |s| {
        s.database.url = url.into();
        s.backup.dir = dir;
        s.backup.every_hours = 24;
        s.backup.keep = 3;
    })
    .await;
    let mut names = Vec::new();
    for _ in 0..100 {
        names = std::fs::read_dir(&backups)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        if names.len() == 4 && !names.iter().any(|n| n.contains("20260107")) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Assert: the new backup, the two newest old ones and the other file.
    assert_eq!(names.len(), 4, "{names:?}");
    assert_eq!(
        &names[..3],
        [
            "notes.txt",
            "trellis-20260108T030000Z.db",
            "trellis-20260109T030000Z.db"
        ],
        "{names:?}"
    );
    let fresh = &names[3];
    let taken = trellis::backup::taken_at(fresh).expect("a backup name");
    assert!(chrono::Utc::now() - taken < chrono::Duration::minutes(5));
    assert!(trellis::backup::verify(&backups.join(fresh))
        .unwrap()
        .is_empty());
}
