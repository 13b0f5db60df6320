//! Where the admin secret comes from: `--secret-file`, `--secret`, or `JANUS_ADMIN_SECRET`.

use std::path::Path;

use janus_proto::Secret;

use crate::cli::Cli;
use crate::error::CliError;

/// The environment variable holding the admin secret.
pub const SECRET_VAR: &str = "JANUS_ADMIN_SECRET";

/// The admin secret the command line or the environment gives, if any: `--secret-file`
/// first, then `--secret` (with a warning on stderr: other users see it in `ps`), then
/// [`SECRET_VAR`] (ignored when empty).
pub fn admin_secret(cli: &Cli) -> Result<Option<Secret>, CliError> {
    if let Some(path) = &cli.secret_file {
        return read_file(path).map(Some);
    }
    if let Some(secret) = &cli.secret {
        eprintln!(
            "janus-admin: warning: --secret is visible to other users of this machine \
             (ps, /proc); prefer --secret-file or {SECRET_VAR}"
        );
        return Ok(Some(secret.clone()));
    }
    match std::env::var_os(SECRET_VAR) {
        Some(value) if !value.is_empty() => value
            .into_string()
            .map(|s| Some(Secret::new(s)))
            .map_err(|_| CliError::SecretVar),
        _ => Ok(None),
    }
}

/// The first line of the file, without its line ending.
fn read_file(path: &Path) -> Result<Secret, CliError> {
    let text = std::fs::read_to_string(path).map_err(|source| CliError::SecretFile {
        path: path.to_owned(),
        source,
    })?;
    match text.lines().next() {
        Some(line) if !line.is_empty() => Ok(Secret::new(line)),
        _ => Err(CliError::EmptySecretFile {
            path: path.to_owned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::read_file;
    use crate::error::CliError;

    #[test]
    fn the_first_line_of_the_file_without_its_line_ending() {
        let mut file = tempfile::NamedTempFile::new().expect("temp file");
        file.write_all(b"s3cret\r\nignored\n").expect("write");
        let secret = read_file(file.path()).expect("a secret");
        assert_eq!(secret.expose(), "s3cret");
    }

    #[test]
    fn an_empty_or_missing_file_is_an_error_naming_it() {
        let file = tempfile::NamedTempFile::new().expect("temp file");
        let empty = read_file(file.path()).expect_err("empty");
        assert!(matches!(empty, CliError::EmptySecretFile { .. }));
        assert!(empty
            .to_string()
            .contains(&file.path().display().to_string()));
        let missing = read_file(&file.path().with_extension("missing")).expect_err("missing");
        assert!(matches!(missing, CliError::SecretFile { .. }), "{missing}");
    }
}
