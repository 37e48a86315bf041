//! A small builder for running the binary: `Verdict::new(["eval", ...]).stdin(..).run()`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub struct Verdict {
    args: Vec<String>,
    stdin: Option<Vec<u8>>,
    env: Vec<(String, String)>,
    cwd: Option<PathBuf>,
    stack_kib: Option<u32>,
}

/// What a run gave.
#[derive(Debug)]
pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Verdict {
    pub fn new<I, S>(args: I) -> Verdict
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        Verdict {
            args: args.into_iter().map(|a| a.as_ref().to_string()).collect(),
            stdin: None,
            env: Vec::new(),
            cwd: None,
            stack_kib: None,
        }
    }

    pub fn stdin(mut self, text: impl AsRef<[u8]>) -> Verdict {
        self.stdin = Some(text.as_ref().to_vec());
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> Verdict {
        self.env.push((key.to_string(), value.to_string()));
        self
    }

    pub fn current_dir(mut self, dir: impl AsRef<Path>) -> Verdict {
        self.cwd = Some(dir.as_ref().to_path_buf());
        self
    }

    /// Runs the binary under a shell's `ulimit -s`: soft and hard stack limits of `kib`.
    pub fn stack_limit(mut self, kib: u32) -> Verdict {
        self.stack_kib = Some(kib);
        self
    }

    pub fn run(self) -> Output {
        let binary = env!("CARGO_BIN_EXE_verdict");
        let mut command = match self.stack_kib {
            None => Command::new(binary),
            Some(kib) => {
                let mut shell = Command::new("sh");
                shell
                    .arg("-c")
                    .arg(format!("ulimit -s {kib} && exec \"$0\" \"$@\""))
                    .arg(binary);
                shell
            }
        };
        command
            .args(&self.args)
            .env_remove("NO_COLOR")
            .env_remove("VERDICT_PRINT_INPUT")
            .env_remove("VERDICT_CACHE")
            // The default cache, kept out of the home directory of whoever runs the tests.
            .env(
                "XDG_CACHE_HOME",
                Path::new(env!("CARGO_TARGET_TMPDIR")).join("cache"),
            )
            .env_remove("RUST_BACKTRACE")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (key, value) in &self.env {
            command.env(key, value);
        }
        if let Some(dir) = &self.cwd {
            command.current_dir(dir);
        }
        let mut child = command.spawn().expect("the verdict binary runs");
        let input = self.stdin.unwrap_or_default();
        let mut pipe = child.stdin.take().expect("stdin is piped");
        let writer = std::thread::spawn(move || {
            let _ = pipe.write_all(&input);
        });
        let output = child
            .wait_with_output()
            .expect("the verdict binary finishes");
        let _ = writer.join();
        Output {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

impl Output {
    /// Asserts the exit code, showing the whole output when it differs.
    #[track_caller]
    pub fn code(self, expected: i32) -> Output {
        assert_eq!(
            self.code, expected,
            "unexpected exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }

    #[track_caller]
    pub fn stdout_has(self, text: &str) -> Output {
        assert!(
            self.stdout.contains(text),
            "stdout lacks {text:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout,
            self.stderr
        );
        self
    }

    #[track_caller]
    pub fn stderr_has(self, text: &str) -> Output {
        assert!(
            self.stderr.contains(text),
            "stderr lacks {text:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout,
            self.stderr
        );
        self
    }

    /// stdout as JSON.
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|error| panic!("stdout is not JSON ({error}):\n{}", self.stdout))
    }
}

/// A scratch directory with files written into it.
pub struct Scratch {
    pub dir: tempfile::TempDir,
}

impl Scratch {
    pub fn new() -> Scratch {
        Scratch {
            dir: tempfile::tempdir().expect("a temporary directory"),
        }
    }

    pub fn file(self, name: &str, contents: impl AsRef<[u8]>) -> Scratch {
        let path = self.dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create directories");
        }
        std::fs::write(path, contents).expect("write a scratch file");
        self
    }

    pub fn path(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }
}
