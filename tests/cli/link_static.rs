//! The linker script that links the binary statically (`.cargo/link-static`), run with a
//! stand-in `cc` that writes down each command it is given.

#![cfg(target_os = "linux")]

use std::path::{Path, PathBuf};
use std::process::Command;

/// What rustc hands the linker for a dynamically linked binary, in short.
const DYNAMIC: &[&str] = &[
    "-m64",
    "main.o",
    "-Wl,--as-needed",
    "-Wl,-Bstatic",
    "libstd.rlib",
    "-Wl,-Bdynamic",
    "-lgcc_s",
    "-lutil",
    "-lpthread",
    "-lc",
    "-o",
    "OUTPUT",
    "-pie",
    "-nodefaultlibs",
    "-no-pie",
];

/// What makes the stand-in `cc` fail.
#[derive(Clone, Copy)]
struct Refuses {
    /// A static link (`-static` or `-static-pie`).
    static_link: bool,
    /// A list of symbols to order (a linker other than lld).
    order: bool,
}

const TAKES_ALL: Refuses = Refuses {
    static_link: false,
    order: false,
};

/// A directory with a `cc` that appends its arguments, one per line and then `--`, to
/// `calls`, and fails on what it `refuses`.
fn stand_in(name: &str, refuses: Refuses) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("verdict-link-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut refused = Vec::new();
    if refuses.static_link {
        refused.push("$arg == -static || $arg == -static-pie");
    }
    if refuses.order {
        refused.push("$arg == -Wl,--symbol-ordering-file=*");
    }
    let check = if refused.is_empty() {
        String::new()
    } else {
        format!(
            "for arg; do [[ {} ]] && exit 1; done\n",
            refused.join(" || ")
        )
    };
    let script = format!(
        "#!/usr/bin/env bash\nprintf '%s\\n' \"$@\" -- >> '{}'\n{check}exit 0\n",
        dir.join("calls").display()
    );
    let cc = dir.join("cc");
    std::fs::write(&cc, script).unwrap();
    Command::new("chmod").arg("+x").arg(&cc).status().unwrap();
    dir
}

/// `args` followed by the list of the symbols to place first, as the script adds it.
fn ordered(args: &[String]) -> Vec<String> {
    let list = Path::new(env!("CARGO_MANIFEST_DIR")).join(".cargo/verdict.order");
    let mut args = args.to_vec();
    args.push(format!("-Wl,--symbol-ordering-file={}", list.display()));
    args.push("-Wl,--no-warn-symbol-ordering".to_string());
    args
}

/// Runs the script on `args` with `output` in place of `OUTPUT`; the commands `cc` got.
fn link(dir: &Path, output: &str, args: &[&str], env: &[(&str, &str)]) -> Vec<Vec<String>> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join(".cargo/link-static");
    let path = format!(
        "{}:{}",
        dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let status = Command::new(script)
        .args(strings(args, output))
        .env("PATH", path)
        .env_remove("VERDICT_BUILD_DYNAMIC")
        .env_remove("VERDICT_BUILD_PIE")
        .envs(env.iter().copied())
        .status()
        .unwrap();
    assert!(status.success());
    let calls = std::fs::read_to_string(dir.join("calls")).unwrap_or_default();
    let _ = std::fs::remove_dir_all(dir);
    calls
        .split_terminator("--\n")
        .map(|call| call.lines().map(str::to_string).collect())
        .collect()
}

fn strings(args: &[&str], output: &str) -> Vec<String> {
    args.iter()
        .map(|arg| if *arg == "OUTPUT" { output } else { arg })
        .map(str::to_string)
        .collect()
}

const BINARY: &str = "target/release/deps/verdict-0123abcd";

#[test]
fn the_binary_is_linked_against_the_static_c_library_and_unwinder() {
    let calls = link(&stand_in("static", TAKES_ALL), BINARY, DYNAMIC, &[]);
    let expected = [
        "-m64",
        "main.o",
        "-Wl,--as-needed",
        "-Wl,-Bstatic",
        "libstd.rlib",
        "-Wl,-Bstatic",
        "-lutil",
        "-lpthread",
        "-lc",
        "-lgcc_eh",
        "-lgcc",
        "-lc",
        "-o",
        BINARY,
        "-nodefaultlibs",
        "-static",
        "-no-pie",
    ];
    assert_eq!(calls, vec![ordered(&strings(&expected, BINARY))]);
}

#[test]
fn a_linker_that_takes_no_symbol_order_links_without_one() {
    let refuses = Refuses {
        order: true,
        ..TAKES_ALL
    };
    let calls = link(&stand_in("no-order", refuses), BINARY, DYNAMIC, &[]);
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0], ordered(&calls[1]));
    assert!(calls[1].contains(&"-static".to_string()));
}

#[test]
fn a_build_asking_for_a_pie_gets_a_static_pie() {
    let calls = link(
        &stand_in("pie", TAKES_ALL),
        BINARY,
        DYNAMIC,
        &[("VERDICT_BUILD_PIE", "1")],
    );
    assert_eq!(calls.len(), 1);
    assert!(calls[0].contains(&"-static-pie".to_string()));
    assert!(
        !calls[0]
            .iter()
            .any(|arg| arg.ends_with("-pie") && arg != "-static-pie")
    );
}

#[test]
fn a_static_link_that_fails_is_made_dynamically_instead() {
    let refuses = Refuses {
        static_link: true,
        ..TAKES_ALL
    };
    let calls = link(&stand_in("fallback", refuses), BINARY, DYNAMIC, &[]);
    assert_eq!(calls.len(), 3);
    assert_eq!(calls[0], ordered(&calls[1]));
    assert!(calls[1].contains(&"-static".to_string()));
    assert_eq!(calls[2], ordered(&strings(DYNAMIC, BINARY)));
}

#[test]
fn other_links_and_opting_out_are_left_as_rustc_wrote_them() {
    let build_script = "target/release/build/verdict-0123/build_script_build-4567";
    let calls = link(&stand_in("other", TAKES_ALL), build_script, DYNAMIC, &[]);
    assert_eq!(calls, vec![strings(DYNAMIC, build_script)]);

    let opted_out = link(
        &stand_in("dynamic", TAKES_ALL),
        BINARY,
        DYNAMIC,
        &[("VERDICT_BUILD_DYNAMIC", "1")],
    );
    assert_eq!(opted_out, vec![ordered(&strings(DYNAMIC, BINARY))]);
    let not_opted_out = link(
        &stand_in("zero", TAKES_ALL),
        BINARY,
        DYNAMIC,
        &[("VERDICT_BUILD_DYNAMIC", "0")],
    );
    assert!(not_opted_out[0].contains(&"-static".to_string()));

    let mut shared = DYNAMIC.to_vec();
    shared.push("-shared");
    let calls = link(&stand_in("shared", TAKES_ALL), BINARY, &shared, &[]);
    assert_eq!(calls, vec![strings(&shared, BINARY)]);
}

/// Whether the static C library is where `cc` looks for libraries.
fn static_c_library_installed() -> bool {
    Command::new("cc")
        .arg("-print-file-name=libc.a")
        .output()
        .ok()
        .and_then(|output| String::from_utf8(output.stdout).ok())
        .is_some_and(|path| {
            let path = Path::new(path.trim());
            path.is_absolute() && path.exists()
        })
}

/// Whether an ELF-64 executable asks for a program loader (a `PT_INTERP` header).
fn asks_for_a_loader(binary: &Path) -> bool {
    use std::io::Read;
    let mut start = vec![0; 4096];
    let read = std::fs::File::open(binary)
        .and_then(|mut file| file.read(&mut start))
        .unwrap();
    start.truncate(read);
    assert_eq!(
        &start[..4],
        b"\x7fELF",
        "{} is not an ELF file",
        binary.display()
    );
    let u16_at = |at: usize| u16::from_le_bytes([start[at], start[at + 1]]) as usize;
    let headers = u64::from_le_bytes(start[0x20..0x28].try_into().unwrap()) as usize;
    let (size, count) = (u16_at(0x36), u16_at(0x38));
    (0..count).any(|index| {
        let at = headers + index * size;
        u32::from_le_bytes(start[at..at + 4].try_into().unwrap()) == 3
    })
}

#[test]
#[cfg(all(target_arch = "x86_64", target_env = "gnu"))]
fn the_binary_is_static_wherever_the_static_c_library_is_installed() {
    // Catches a rustc whose link line the script no longer knows, which would quietly
    // make every build dynamic again. Without the archive, a dynamic binary is expected.
    let opted_out = std::env::var_os("VERDICT_BUILD_DYNAMIC").is_some_and(|value| value != "0");
    if opted_out || !static_c_library_installed() {
        return;
    }
    let binary = Path::new(env!("CARGO_BIN_EXE_verdict"));
    assert!(
        !asks_for_a_loader(binary),
        "{} is linked dynamically",
        binary.display()
    );
    // This test's own harness is linked as rustc wrote it, so it asks for one.
    assert!(asks_for_a_loader(&std::env::current_exe().unwrap()));
}
