//! Running an external renderer (kustomize, kubectl, helm) with a timeout, capturing
//! stdout and stderr without deadlocking on full pipes, and finding the binaries.

use std::ffi::OsString;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use wait_timeout::ChildExt;

use super::RenderError;

/// The largest output a renderer may produce: what a manifest file may be.
const MAX_OUTPUT_BYTES: u64 = super::MAX_FILE_BYTES as u64;

/// An external program, found on `PATH` or named by an environment variable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tool {
    pub name: &'static str,
    pub path: PathBuf,
}

impl Tool {
    /// Finds `name`: the path in `env_var` if set, else the first match on `PATH`,
    /// else (development builds only) `.tools/bin` of this source tree, where
    /// `scripts/install-tools.sh` puts what the tests need. `None` when it is nowhere.
    pub fn find(name: &'static str, env_var: &str) -> Option<Tool> {
        if let Some(path) = std::env::var_os(env_var).filter(|p| !p.is_empty()) {
            return Some(Tool {
                name,
                path: PathBuf::from(path),
            });
        }
        let found = which::which(name).ok();
        // Development builds also look where scripts/install-tools.sh puts tools; a
        // release binary never searches the folder of the machine that built it.
        let bundled = || {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(".tools/bin");
            which::which_in(name, Some(dir), ".").ok()
        };
        let found = if cfg!(debug_assertions) {
            found.or_else(bundled)
        } else {
            found
        };
        found.map(|path| Tool { name, path })
    }

    /// Runs the tool in `dir` and returns its stdout. A non-zero exit returns its
    /// stderr in the error; a run longer than `timeout` is killed.
    pub fn run(
        &self,
        args: &[OsString],
        dir: &Path,
        env: &[(&str, &Path)],
        timeout: Duration,
    ) -> Result<Vec<u8>, RenderError> {
        let command_line = self.command_line(args);
        let mut command = Command::new(&self.path);
        command
            .args(args)
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (key, value) in env {
            command.env(key, value);
        }
        // Its own process group, so that whatever it starts can be stopped with it.
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let started = Instant::now();
        let mut child = command.spawn().map_err(|source| RenderError::ToolStart {
            tool: self.name,
            path: self.path.clone(),
            source,
        })?;
        let stdout = drain(child.stdout.take());
        let stderr = drain(child.stderr.take());
        let waited = child.wait_timeout(timeout);
        // Done or not, nothing it started may outlive it (or hold its pipes open).
        kill_group(&child);
        let status = match waited {
            Ok(Some(status)) => status,
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(RenderError::ToolTimeout {
                    command: command_line,
                    timeout,
                });
            }
            Err(source) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(RenderError::ToolStart {
                    tool: self.name,
                    path: self.path.clone(),
                    source,
                });
            }
        };
        let remaining = timeout
            .saturating_sub(started.elapsed())
            .max(Duration::from_secs(1));
        let (Some(stdout), Some(stderr)) = (stdout.wait(remaining), stderr.wait(remaining)) else {
            return Err(RenderError::ToolTimeout {
                command: command_line,
                timeout,
            });
        };
        if !status.success() {
            return Err(RenderError::ToolFailed {
                command: command_line,
                status: status.code(),
                stderr: String::from_utf8_lossy(&stderr).trim().to_owned(),
            });
        }
        if stdout.len() as u64 > MAX_OUTPUT_BYTES {
            return Err(RenderError::ToolFailed {
                command: command_line,
                status: status.code(),
                stderr: format!("output exceeds {MAX_OUTPUT_BYTES} bytes"),
            });
        }
        Ok(stdout)
    }

    fn command_line(&self, args: &[OsString]) -> String {
        let mut line = self.name.to_owned();
        for arg in args {
            line.push(' ');
            line.push_str(&arg.to_string_lossy());
        }
        line
    }
}

/// Stops every process left in the tool's process group.
fn kill_group(child: &std::process::Child) {
    #[cfg(unix)]
    if let Ok(raw) = i32::try_from(child.id())
        && let Some(pid) = rustix::process::Pid::from_raw(raw)
    {
        let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
    }
}

/// A pipe being read to the end on its own thread, so neither pipe can fill up and
/// block the child while we wait on the other.
struct Drain(mpsc::Receiver<Vec<u8>>);

impl Drain {
    /// The bytes read, or `None` if the pipe is still open after `limit`.
    fn wait(&self, limit: Duration) -> Option<Vec<u8>> {
        self.0.recv_timeout(limit).ok()
    }
}

/// Keeps at most one byte more than the limit (enough to tell it was exceeded) and
/// discards the rest.
fn drain(pipe: Option<impl Read + Send + 'static>) -> Drain {
    let (sender, receiver) = mpsc::channel();
    thread::spawn(move || {
        let mut buffer = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = (&mut pipe)
                .take(MAX_OUTPUT_BYTES + 1)
                .read_to_end(&mut buffer);
            let _ = std::io::copy(&mut pipe, &mut std::io::sink());
        }
        let _ = sender.send(buffer);
    });
    Drain(receiver)
}
