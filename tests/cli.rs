//! The command line speaks Chinese: help pages, usage errors and value
//! errors, with option names as they are and exit code 2 for a usage error.

mod common;

use std::process::Output;

use common::{isolated, repository, tongbao};

/// clap's English words, any of which would mean a page or message was
/// left untranslated.
const ENGLISH: [&str; 16] = [
    "Usage:",
    "Options:",
    "Commands:",
    "Arguments:",
    "error:",
    "tip:",
    "[default:",
    "[possible values",
    "[OPTIONS]",
    "<COMMAND>",
    "Print help",
    "Print version",
    "For more information",
    "unexpected argument",
    "invalid value",
    "required",
];

const COMMANDS: [&str; 8] = [
    "init", "build", "check", "new", "import", "diff", "serve", "theme",
];

fn run(args: &[&str]) -> (Option<i32>, String, String) {
    let folder = tempfile::tempdir().expect("temporary folder");
    let Output {
        status,
        stdout,
        stderr,
    } = tongbao(folder.path(), args);
    (
        status.code(),
        String::from_utf8(stdout).expect("UTF-8 output"),
        String::from_utf8(stderr).expect("UTF-8 output"),
    )
}

fn assert_chinese(args: &[&str], text: &str) {
    for word in ENGLISH {
        assert!(
            !text.contains(word),
            "tongbao {}: {word:?} left in\n{text}",
            args.join(" ")
        );
    }
}

/// Every argument and option line of a help page (indented) describes it
/// in Chinese: a doc comment without a Chinese `help` would show English.
fn assert_every_line_described_in_chinese(args: &[&str], help: &str) {
    let cjk = |c: char| ('\u{4e00}'..='\u{9fff}').contains(&c);
    for line in help.lines().filter(|line| line.starts_with("  ")) {
        assert!(
            line.chars().any(cjk),
            "tongbao {}: {line:?} has no Chinese description",
            args.join(" ")
        );
    }
}

#[test]
fn the_main_help_lists_every_command_in_chinese() {
    let (code, stdout, stderr) = run(&["--help"]);
    assert_eq!((code, stderr.as_str()), (Some(0), ""));
    assert_chinese(&["--help"], &stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines[..4],
        [
            "tongbao（通报）：把政务公开随机抽查情况通报生成为静态网站",
            "",
            "用法：tongbao <命令>",
            "",
        ]
    );
    assert_eq!(lines[4], "命令：");
    let listed: Vec<&str> = lines[5..5 + COMMANDS.len()]
        .iter()
        .map(|line| line.split_whitespace().next().unwrap_or_default())
        .collect();
    assert_eq!(listed, COMMANDS);
    assert!(
        lines.contains(&"  -V, --version  显示版本和构建所用的提交"),
        "{stdout}"
    );
}

#[test]
fn every_command_help_is_chinese() {
    for command in COMMANDS {
        let args = [command, "--help"];
        let (code, stdout, stderr) = run(&args);
        assert_eq!(code, Some(0), "{stderr}");
        assert_chinese(&args, &stdout);
        assert_every_line_described_in_chinese(&args, &stdout);
        let usage = stdout.lines().nth(2).unwrap_or_default();
        assert!(
            usage.starts_with(&format!("用法：tongbao {command}")),
            "{stdout}"
        );
    }
    let args = ["theme", "export", "--help"];
    let (code, stdout, _) = run(&args);
    assert_eq!(code, Some(0));
    assert_chinese(&args, &stdout);
}

#[test]
fn the_build_help_states_defaults_in_chinese() {
    let (_, stdout, _) = run(&["build", "--help"]);
    assert_eq!(
        stdout,
        "检查、计分，把 content/ 生成为网站，写入 public/\n\
         \n\
         用法：tongbao build [选项]\n\
         \n\
         选项：\n\
        \x20     --root <目录>    站点目录，其中有 content/（默认：.）\n\
        \x20     --output <目录>  输出目录（默认：站点目录下的 public/）\n\
        \x20     --strict         警告也按错误处理：有任何警告就不写入，退出码为 1\n\
        \x20 -h, --help           显示本说明\n"
    );
}

#[test]
fn an_unknown_option_is_a_chinese_usage_error() {
    let args = ["build", "--bad-option"];
    let (code, stdout, stderr) = run(&args);
    assert_eq!((code, stdout.as_str()), (Some(2), ""));
    assert_chinese(&args, &stderr);
    assert_eq!(
        stderr,
        "错误：没有 --bad-option 这个选项\n\n\
         用法：tongbao build [选项]\n\
         查看说明：tongbao build --help\n"
    );
}

#[test]
fn a_close_option_or_command_is_suggested() {
    let (code, _, stderr) = run(&["check", "--stric"]);
    assert_eq!(code, Some(2));
    assert_eq!(
        stderr.lines().take(2).collect::<Vec<_>>(),
        [
            "错误：没有 --stric 这个选项",
            " = 提示：是否应为 --strict？"
        ]
    );
    let (code, _, stderr) = run(&["bulid"]);
    assert_eq!(code, Some(2));
    assert_eq!(
        stderr.lines().take(2).collect::<Vec<_>>(),
        ["错误：没有 bulid 这个命令", " = 提示：是否应为 build？"]
    );
}

#[test]
fn a_bad_date_or_number_is_explained_in_chinese() {
    let cases: [(&[&str], &str, &str); 3] = [
        (
            &["new", "2019-06", "--end", "not-a-date"],
            "错误：--end <日期> 的值 “not-a-date” 不可用：应为日期，写作 年-月-日，如 2019-06-30",
            "用法：tongbao new <期次> [选项]",
        ),
        (
            &["new", "2019-06", "--weeks", "二十"],
            "错误：--weeks <周数> 的值 “二十” 不可用：应为 0 到 4294967295 的整数",
            "用法：tongbao new <期次> [选项]",
        ),
        (
            &["serve", "--port", "70000"],
            "错误：--port <端口> 的值 “70000” 不可用：应为 0 到 65535 的整数",
            "用法：tongbao serve [选项]",
        ),
    ];
    for (args, message, usage) in cases {
        let (code, _, stderr) = run(args);
        assert_eq!(code, Some(2), "{stderr}");
        assert_chinese(args, &stderr);
        let lines: Vec<&str> = stderr.lines().filter(|line| !line.is_empty()).collect();
        assert_eq!(lines[..2], [message, usage], "{stderr}");
    }
}

#[test]
fn a_missing_value_or_argument_is_named() {
    let (code, _, stderr) = run(&["build", "--root"]);
    assert_eq!(code, Some(2));
    assert_chinese(&["build", "--root"], &stderr);
    assert_eq!(stderr.lines().next(), Some("错误：--root <目录> 缺少值"));
    let (code, _, stderr) = run(&["import", "towns.csv"]);
    assert_eq!(code, Some(2));
    assert_chinese(&["import", "towns.csv"], &stderr);
    assert_eq!(
        stderr.lines().next(),
        Some("错误：缺少必需的参数：--period <期次>、--table <表格>")
    );
}

#[test]
fn the_version_names_the_commit_it_was_built_from() {
    let (code, stdout, _) = run(&["--version"]);
    assert_eq!(code, Some(0));
    let version = env!("CARGO_PKG_VERSION");
    let commit = isolated("git")
        .args(["rev-parse", "--short", "HEAD"])
        .current_dir(repository())
        .output()
        .ok()
        .filter(|output| output.status.success())
        .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_string());
    let expected = match commit {
        Some(commit) => format!("tongbao {version}（提交 {commit}）\n"),
        None => format!("tongbao {version}\n"),
    };
    assert_eq!(stdout, expected);
}
