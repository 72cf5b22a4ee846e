//! `trellis backup [--out FILE]`, `trellis backup --verify FILE`, `trellis restore FILE`.

use secrecy::ExposeSecret;
use std::path::{Path, PathBuf};

use anyhow::bail;
use chrono::Utc;

use crate::config::Settings;
use crate::db::Target;

/// `trellis backup`: a copy of the SQLite database, or the pg_dump command for PostgreSQL.
pub fn backup(settings: &Settings, out: Option<PathBuf>) -> anyhow::Result<()> {
    let database = match Target::parse(settings.database.url.expose_secret()) {
        Target::Postgres(url) => {
            print!("{}", pg_dump_advice(&url, &pg_file_name()));
            bail!("no backup was made: PostgreSQL is backed up with pg_dump (see above)");
        }
        Target::Sqlite(path) => sqlite_path(&path)?,
    };
    let now = Utc::now();
    let out = out.unwrap_or_else(|| Path::new(&settings.backup.dir).join(super::file_name(now)));
    let (summary, took) = super::backup(&database, &out)?;
    println!(
        "Backed up {} in {:.2} s (a consistent copy; writes acknowledged before it began are in it).",
        database.display(),
        took.as_secs_f64()
    );
    print!("{summary}");
    println!(
        "Check it with: trellis backup --verify {}",
        summary.path.display()
    );
    Ok(())
}

/// `trellis backup --verify FILE`: exits non-zero when a check fails.
pub fn verify(file: &Path) -> anyhow::Result<()> {
    let problems = super::verify(file)?;
    if problems.is_empty() {
        let summary = super::summarise(file)?;
        println!(
            "{}: integrity_check ok, foreign_key_check ok",
            file.display()
        );
        print!("{summary}");
        return Ok(());
    }
    println!("{}: {} problem(s)", file.display(), problems.len());
    for problem in problems.iter().take(50) {
        println!("  {problem}");
    }
    bail!("{} failed its checks", file.display());
}

/// `trellis restore FILE`.
pub fn restore(settings: &Settings, file: &Path) -> anyhow::Result<()> {
    let database = match Target::parse(settings.database.url.expose_secret()) {
        Target::Postgres(url) => {
            bail!(
                "trellis restore is for SQLite. For PostgreSQL, stop every Trellis server and \
                 restore a pg_dump file into an empty database: pg_restore --no-owner \
                 --dbname={} FILE",
                shell_quote(&redact(&url).0)
            );
        }
        Target::Sqlite(path) => sqlite_path(&path)?,
    };
    let restored = super::restore(&database, file, Utc::now())?;
    println!("Restored {} from {}.", database.display(), file.display());
    if let Some(aside) = &restored.kept_aside {
        println!(
            "The database as it was is kept as {} (delete it when you no longer need it).",
            aside.display()
        );
    }
    print!("{}", restored.summary);
    Ok(())
}

fn sqlite_path(path: &str) -> anyhow::Result<PathBuf> {
    if path == ":memory:" {
        bail!("the configured database lives in memory; there is nothing to back up or restore");
    }
    Ok(PathBuf::from(path))
}

fn pg_file_name() -> String {
    format!("trellis-{}.dump", Utc::now().format("%Y%m%dT%H%M%SZ"))
}

/// What `trellis backup` prints for PostgreSQL: the exact commands for `url`, without its
/// password.
pub fn pg_dump_advice(url: &str, file: &str) -> String {
    let (safe, had_password) = redact(url);
    let url = shell_quote(&safe);
    let mut text = format!(
        "Trellis does not copy a PostgreSQL database itself: pg_dump is the tool. It takes a \
         consistent snapshot while the portal keeps serving. For the configured database:\n\n    \
         pg_dump --format=custom --file={file} --dbname={url}\n\n"
    );
    if had_password {
        text.push_str(
            "The password is left out of the command; pg_dump reads it from PGPASSWORD or \
             ~/.pgpass.\n\n",
        );
    }
    text.push_str(&format!(
        "To restore: stop every Trellis server, create an empty database, then\n\n    \
         pg_restore --no-owner --dbname={url} {file}\n\n"
    ));
    text
}

/// `url` without its password (in the user info or a `password=` parameter), and whether
/// there was one.
pub fn redact(url: &str) -> (String, bool) {
    let mut had = false;
    let (head, query) = match url.split_once('?') {
        Some((h, q)) => (h, Some(q)),
        None => (url, None),
    };
    let mut out = match head.split_once("://") {
        Some((scheme, rest)) => {
            let (authority, path) = match rest.find('/') {
                Some(i) => rest.split_at(i),
                None => (rest, ""),
            };
            let authority = match authority.rsplit_once('@') {
                Some((userinfo, host)) => match userinfo.split_once(':') {
                    Some((user, _password)) => {
                        had = true;
                        format!("{user}@{host}")
                    }
                    None => authority.to_string(),
                },
                None => authority.to_string(),
            };
            format!("{scheme}://{authority}{path}")
        }
        None => head.to_string(),
    };
    if let Some(query) = query {
        let kept: Vec<&str> = query
            .split('&')
            .filter(|pair| {
                let secret = pair
                    .split('=')
                    .next()
                    .is_some_and(|k| k.eq_ignore_ascii_case("password"));
                had |= secret;
                !secret
            })
            .collect();
        if !kept.is_empty() {
            out.push('?');
            out.push_str(&kept.join("&"));
        }
    }
    (out, had)
}

/// Quote for a POSIX shell.
fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_taken_out_of_database_urls() {
        assert_eq!(
            redact("postgres://trellis:s3cr%40t@db.local:5432/trellis"),
            ("postgres://trellis@db.local:5432/trellis".into(), true)
        );
        assert_eq!(
            redact("postgresql://u@h/db?sslmode=require&password=hunter2"),
            ("postgresql://u@h/db?sslmode=require".into(), true)
        );
        assert_eq!(
            redact("postgres://postgres@127.0.0.1:5432/trellis"),
            ("postgres://postgres@127.0.0.1:5432/trellis".into(), false)
        );
    }

    #[test]
    fn the_advice_names_pg_dump_and_never_the_password() {
        let text = pg_dump_advice("postgres://app:pa'ss@h:5432/prod", "x.dump");
        assert!(text.contains(
            "pg_dump --format=custom --file=x.dump --dbname='postgres://app@h:5432/prod'"
        ));
        assert!(text.contains("PGPASSWORD"));
        assert!(!text.contains("pa'ss") && !text.contains("pa'\\''ss"));
    }
}
