//! [`JanusVersion`]: which Janus a test runs, and where each version's program and plugins
//! are on this machine (installing or building it first when they are not).

use std::fmt;
use std::path::PathBuf;
use std::process::Command;
use std::str::FromStr;
use std::sync::Mutex;

use super::{build, config, install, HarnessError};

/// A Janus release the harness can run. Ordered oldest first, so
/// `version >= JanusVersion::V1_4_1` reads "1.4.1 or later".
///
/// ```
/// use janus_tests::{JanusOptions, JanusVersion};
/// for version in JanusVersion::ALL {
///     let options = JanusOptions::new().version(version);
///     println!("Janus {version} reports \"version\": {}", version.number());
///     # let _ = options;
/// }
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum JanusVersion {
    /// Janus 1.1.2, Debian 12's package (`apt-get install janus`, by
    /// `scripts/install-janus.sh`): `janus` on `PATH`, plugins in `/usr/lib/<triplet>/janus/`.
    #[default]
    V1_1_2,
    /// Janus 1.4.1, built from `../shared/janus-src/janus-gateway-1.4.1.tar.gz` by
    /// `scripts/build-janus.sh` into a cache prefix outside the checkout (default
    /// `/var/cache/janus-rs/janus-1.4.1-<sha256 prefix>`, or `JANUS_141_PREFIX`).
    V1_4_1,
}

impl JanusVersion {
    /// Every version, oldest first.
    pub const ALL: [JanusVersion; 2] = [JanusVersion::V1_1_2, JanusVersion::V1_4_1];

    /// The number Janus reports as `version` in its `info` reply (and `janus --version`):
    /// 1102 for 1.1.2, 1401 for 1.4.1.
    pub fn number(self) -> u32 {
        match self {
            JanusVersion::V1_1_2 => 1102,
            JanusVersion::V1_4_1 => 1401,
        }
    }

    /// What Janus reports as `version_string`: `"1.1.2"`, `"1.4.1"` (also the [`Display`](fmt::Display)).
    pub fn as_str(self) -> &'static str {
        match self {
            JanusVersion::V1_1_2 => "1.1.2",
            JanusVersion::V1_4_1 => "1.4.1",
        }
    }

    /// The plugin packages the harness's configs load on this version: every stock plugin
    /// but the script engines (Lua, Duktape), and the VoiceMail plugin on 1.1.2 only (1.4.1
    /// no longer has it).
    pub fn plugins(self) -> &'static [&'static str] {
        match self {
            JanusVersion::V1_1_2 => &[
                "janus.plugin.audiobridge",
                "janus.plugin.echotest",
                "janus.plugin.nosip",
                "janus.plugin.recordplay",
                "janus.plugin.sip",
                "janus.plugin.streaming",
                "janus.plugin.textroom",
                "janus.plugin.videocall",
                "janus.plugin.videoroom",
                "janus.plugin.voicemail",
            ],
            JanusVersion::V1_4_1 => &[
                "janus.plugin.audiobridge",
                "janus.plugin.echotest",
                "janus.plugin.nosip",
                "janus.plugin.recordplay",
                "janus.plugin.sip",
                "janus.plugin.streaming",
                "janus.plugin.textroom",
                "janus.plugin.videocall",
                "janus.plugin.videoroom",
            ],
        }
    }

    /// This version's position in [`ALL`](Self::ALL).
    pub(crate) fn index(self) -> usize {
        self as usize
    }

    /// Where this version's program and library folder are, installing (1.1.2) or building
    /// (1.4.1) it first when needed; once per process and version, the answer is cached.
    /// Fails with [`HarnessError::WrongVersion`] if the program found reports another version.
    pub(crate) fn installation(self) -> Result<Installation, HarnessError> {
        static FOUND: [Mutex<Option<Installation>>; JanusVersion::ALL.len()] =
            [const { Mutex::new(None) }; JanusVersion::ALL.len()];
        let mut found = FOUND[self.index()]
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(installation) = found.as_ref() {
            return Ok(installation.clone());
        }
        let installation = match self {
            JanusVersion::V1_1_2 => Installation {
                binary: install::ensure("janus")?,
                lib_dir: config::janus_lib_dir()?,
            },
            JanusVersion::V1_4_1 => {
                let prefix = build::ensure(self)?;
                Installation {
                    binary: prefix.join("bin/janus"),
                    lib_dir: prefix.join("lib/janus"),
                }
            }
        };
        installation.check(self)?;
        *found = Some(installation.clone());
        Ok(installation)
    }
}

impl fmt::Display for JanusVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for JanusVersion {
    type Err = HarnessError;

    /// `"1.1.2"` or `"1.4.1"`.
    fn from_str(text: &str) -> Result<Self, HarnessError> {
        JanusVersion::ALL
            .into_iter()
            .find(|v| v.as_str() == text)
            .ok_or_else(|| HarnessError::InvalidOption {
                option: "version",
                reason: format!(
                    "{text:?} is not one of {:?}",
                    JanusVersion::ALL.map(JanusVersion::as_str)
                ),
            })
    }
}

/// One version's files on this machine.
#[derive(Clone, Debug)]
pub(crate) struct Installation {
    /// The `janus` program.
    pub(crate) binary: PathBuf,
    /// The folder holding `plugins/`, `transports/`, `events/` and `loggers/`.
    pub(crate) lib_dir: PathBuf,
}

impl Installation {
    /// Checks that the program runs and says it is `version` (`janus --version` prints
    /// `Janus version: 1102 (1.1.2)`; 1.1.2 then exits with status 1, complaining about the
    /// option it has just handled, so the status is not looked at), and that the plugins
    /// folder exists.
    fn check(&self, version: JanusVersion) -> Result<(), HarnessError> {
        let output = Command::new(&self.binary)
            .arg("--version")
            .output()
            .map_err(|e| HarnessError::io("running janus --version", &self.binary, e))?;
        let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
        text.push_str(&String::from_utf8_lossy(&output.stderr));
        let expected = format!("Janus version: {} ({version})", version.number());
        if !text.contains(&expected) {
            return Err(HarnessError::WrongVersion {
                binary: self.binary.clone(),
                expected: version,
                reported: text.trim().to_owned(),
            });
        }
        let plugins = self.lib_dir.join("plugins");
        if !plugins.is_dir() {
            return Err(HarnessError::io(
                "finding the Janus plugins folder",
                plugins,
                std::io::Error::from(std::io::ErrorKind::NotFound),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::JanusVersion;

    #[test]
    fn names_numbers_and_positions_agree() {
        for (i, version) in JanusVersion::ALL.into_iter().enumerate() {
            assert_eq!(version.index(), i);
            assert_eq!(
                version.to_string().parse::<JanusVersion>().ok(),
                Some(version)
            );
            // Janus's own rule: major * 1000 + minor * 100 + patch.
            let parts: Vec<u32> = version
                .as_str()
                .split('.')
                .map(|p| p.parse().expect("digits"))
                .collect();
            assert_eq!(
                version.number(),
                parts[0] * 1000 + parts[1] * 100 + parts[2]
            );
        }
        assert!(JanusVersion::V1_1_2 < JanusVersion::V1_4_1);
        assert_eq!(JanusVersion::default(), JanusVersion::V1_1_2);
        assert!("1.3.0".parse::<JanusVersion>().is_err());
    }
}
