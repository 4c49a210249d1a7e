//! The command line in Chinese.
//!
//! clap 4 has no translations: its help headings (`Usage:`, `Options:`),
//! its `[default: …]` notes and its error messages are English. So every
//! command's help page is written here from its arguments' Chinese help
//! texts ([`localize`]), and clap's errors are retold from their kind and
//! context in the form of tongbao's other messages ([`report`]). Option
//! names stay as they are; exit codes stay: 0 for help and version, 2 for a
//! usage error.

use std::ffi::OsString;
use std::fmt;
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::error::{ContextKind, ContextValue, Error, ErrorKind};
use clap::{Arg, ArgAction, Command};

use super::print_message;
use crate::diagnostics::Diagnostic;

/// The `--root` option of every command that reads a site.
#[derive(clap::Args, Debug)]
pub struct SiteRoot {
    /// Site root holding content/ (and themes/, if the site has one)
    #[arg(
        long,
        default_value = ".",
        value_name = "目录",
        help = "站点目录，其中有 content/"
    )]
    pub root: std::path::PathBuf,
}

/// Exit code of a usage error: an unknown option, a missing or bad value.
pub const EXIT_USAGE: u8 = 2;

/// Gives `command` and each of its subcommands, at any depth, a Chinese
/// `-h, --help` (and `-V, --version` where it has a version), a Chinese
/// usage line and a help page written from its arguments.
pub fn localize(command: Command) -> Command {
    let path = command.get_name().to_string();
    localize_at(command, &path)
}

/// [`localize`] for a command whose full name, from the program on, is
/// `path` (`tongbao theme export`).
fn localize_at(command: Command, path: &str) -> Command {
    let mut command = command
        .disable_help_flag(true)
        .disable_help_subcommand(true)
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help("显示本说明"),
        );
    if command.get_version().is_some() {
        command = command.disable_version_flag(true).arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help("显示版本和构建所用的提交"),
        );
    }
    command = command.mut_subcommands(|sub| {
        let sub_path = format!("{path} {}", sub.get_name());
        localize_at(sub, &sub_path)
    });
    let usage = usage_line(&command, path);
    let page = help_page(&command, path, &usage);
    command.override_usage(usage).help_template(page)
}

/// `tongbao new <期次> [选项]`: the command, its subcommand or positional
/// arguments (`<必填>`, `[可选]`), and `[选项]` when it has options besides
/// help and version.
fn usage_line(command: &Command, path: &str) -> String {
    let mut parts = vec![path.to_string()];
    if command.has_subcommands() {
        parts.push("<命令>".to_string());
    }
    for positional in command.get_positionals().filter(|arg| !arg.is_hide_set()) {
        let name = value_name(positional);
        parts.push(if positional.is_required_set() {
            format!("<{name}>")
        } else {
            format!("[{name}]")
        });
    }
    let has_options = command
        .get_arguments()
        .any(|arg| !arg.is_positional() && !arg.is_hide_set() && !is_builtin(arg));
    if has_options {
        parts.push("[选项]".to_string());
    }
    parts.join(" ")
}

/// The help page: what the command does, its usage, then its commands,
/// arguments and options, each described in one aligned line.
fn help_page(command: &Command, path: &str, usage: &str) -> String {
    let commands: Vec<(String, String)> = command
        .get_subcommands()
        .filter(|sub| !sub.is_hide_set())
        .map(|sub| (sub.get_name().to_string(), text(sub.get_about())))
        .collect();
    let visible = || command.get_arguments().filter(|arg| !arg.is_hide_set());
    let arguments: Vec<(String, String)> = visible()
        .filter(|arg| arg.is_positional())
        .map(|arg| (format!("<{}>", value_name(arg)), description(arg)))
        .collect();
    let options: Vec<(String, String)> = visible()
        .filter(|arg| !arg.is_positional())
        .map(|arg| (option_name(arg), description(arg)))
        .collect();
    let width = commands
        .iter()
        .chain(&arguments)
        .chain(&options)
        .map(|(left, _)| display_width(left))
        .max()
        .unwrap_or(0);
    let mut page = format!("{}\n\n用法：{usage}\n", text(command.get_about()));
    for (heading, rows) in [
        ("命令", &commands),
        ("参数", &arguments),
        ("选项", &options),
    ] {
        if rows.is_empty() {
            continue;
        }
        page.push_str(&format!("\n{heading}：\n"));
        for (left, right) in rows {
            let padding = " ".repeat(width - display_width(left) + 2);
            page.push_str(&format!("  {left}{padding}{right}\n"));
        }
    }
    if !commands.is_empty() {
        page.push_str(&format!("\n各命令的说明：{path} <命令> --help\n"));
    }
    page
}

/// `-h, --help` or `    --root <目录>`: short form, long form, value.
fn option_name(arg: &Arg) -> String {
    let short = arg
        .get_short()
        .map_or("    ".to_string(), |short| format!("-{short}, "));
    let long = arg
        .get_long()
        .map_or(String::new(), |long| format!("--{long}"));
    if arg.get_action().takes_values() {
        format!("{short}{long} <{}>", value_name(arg))
    } else {
        format!("{short}{long}")
    }
}

/// An argument's help text, with its default and allowed values.
fn description(arg: &Arg) -> String {
    let mut described = text(arg.get_help());
    let defaults: Vec<String> = arg
        .get_default_values()
        .iter()
        .map(|value| value.to_string_lossy().into_owned())
        .collect();
    if !defaults.is_empty() && !arg.is_hide_default_value_set() {
        described.push_str(&format!("（默认：{}）", defaults.join("、")));
    }
    let allowed: Vec<String> = arg
        .get_possible_values()
        .iter()
        .filter(|value| !value.is_hide_set())
        .map(|value| value.get_name().to_string())
        .collect();
    // A flag's possible values (true, false) are not typed by anyone.
    if !allowed.is_empty() && arg.get_action().takes_values() && !arg.is_hide_possible_values_set()
    {
        described.push_str(&format!("（可选：{}）", allowed.join("、")));
    }
    described
}

fn value_name(arg: &Arg) -> String {
    arg.get_value_names()
        .and_then(|names| names.first())
        .map_or_else(|| arg.get_id().to_string(), |name| name.to_string())
}

fn is_builtin(arg: &Arg) -> bool {
    matches!(arg.get_action(), ArgAction::Help | ArgAction::Version)
}

fn text(styled: Option<&clap::builder::StyledStr>) -> String {
    styled.map(ToString::to_string).unwrap_or_default()
}

/// Columns a terminal gives `text`: two for each CJK or full-width
/// character, one for the rest.
fn display_width(text: &str) -> usize {
    text.chars()
        .map(|c| if c >= '\u{2E80}' { 2 } else { 1 })
        .sum()
}

/// Prints what clap stopped at, in Chinese, and returns the exit code: the
/// help page or version on standard output with 0; a usage error on
/// standard error with [`EXIT_USAGE`], followed by the usage line of the
/// command `args` named and where to read more. `command` is the localized
/// command line `args` were parsed with.
pub fn report(error: &Error, command: &Command, args: &[OsString]) -> ExitCode {
    match error.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            print!("{error}");
            return ExitCode::SUCCESS;
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            eprint!("{error}");
            return ExitCode::from(EXIT_USAGE);
        }
        _ => {}
    }
    print_message(retold(error));
    let (named, path) = named_command(command, args);
    eprintln!("用法：{}", usage_line(named, &path));
    eprintln!("查看说明：{path} --help");
    ExitCode::from(EXIT_USAGE)
}

/// The deepest subcommand `args` name, word by word from the program on,
/// with its full name (`tongbao theme export`).
fn named_command<'c>(command: &'c Command, args: &[OsString]) -> (&'c Command, String) {
    let mut named = command;
    let mut path = command.get_name().to_string();
    for word in args.iter().skip(1) {
        let Some(word) = word.to_str() else { break };
        match named.find_subcommand(word) {
            Some(sub) => {
                path = format!("{path} {}", sub.get_name());
                named = sub;
            }
            None if word.starts_with('-') => continue,
            None => break,
        }
    }
    (named, path)
}

/// A clap error as a Chinese diagnostic, with clap's suggestions as a hint.
fn retold(error: &Error) -> Diagnostic {
    let argument = context(error, ContextKind::InvalidArg).unwrap_or_default();
    let value = context(error, ContextKind::InvalidValue).unwrap_or_default();
    let message = match error.kind() {
        ErrorKind::UnknownArgument if argument.starts_with('-') => {
            format!("没有 {argument} 这个选项")
        }
        ErrorKind::UnknownArgument => format!("多余的参数 “{argument}”"),
        ErrorKind::InvalidSubcommand => {
            let command = context(error, ContextKind::InvalidSubcommand).unwrap_or_default();
            format!("没有 {command} 这个命令")
        }
        ErrorKind::InvalidValue if value.is_empty() => format!("{argument} 缺少值"),
        ErrorKind::InvalidValue => format!("{argument} 的值 “{value}” 不可用"),
        ErrorKind::ValueValidation => {
            let reason = std::error::Error::source(error)
                .map(|source| format!("：{source}"))
                .unwrap_or_default();
            format!("{argument} 的值 “{value}” 不可用{reason}")
        }
        ErrorKind::MissingRequiredArgument => {
            let missing = match error.get(ContextKind::InvalidArg) {
                Some(ContextValue::Strings(names)) => names.join("、"),
                _ => argument,
            };
            format!("缺少必需的参数：{missing}")
        }
        ErrorKind::MissingSubcommand => "缺少命令".to_string(),
        ErrorKind::NoEquals => format!("{argument} 的值要用 = 连接，如 {argument}=值"),
        ErrorKind::TooManyValues | ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => {
            format!("{argument} 的值的个数不对")
        }
        ErrorKind::ArgumentConflict => {
            let prior = context(error, ContextKind::PriorArg).unwrap_or_default();
            format!("{argument} 不能与 {prior} 同时使用")
        }
        ErrorKind::InvalidUtf8 => "命令行参数中有无法识别的字符（不是有效的 UTF-8）".to_string(),
        // Help and version are handled by `report`; clap's kinds are
        // non-exhaustive, so anything new is still told as a usage error.
        _ => "命令行有误".to_string(),
    };
    let diagnostic = Diagnostic::error(message);
    match hint(error) {
        Some(hint) => diagnostic.hint(hint),
        None => diagnostic,
    }
}

/// What clap suggests, in Chinese: a close option, command or value, the
/// allowed values, or `--` before a value that looks like an option.
fn hint(error: &Error) -> Option<String> {
    for kind in [
        ContextKind::SuggestedArg,
        ContextKind::SuggestedSubcommand,
        ContextKind::SuggestedValue,
    ] {
        if let Some(near) = context(error, kind) {
            return Some(format!("是否应为 {near}？"));
        }
    }
    if let Some(ContextValue::Strings(valid)) = error.get(ContextKind::ValidValue)
        && !valid.is_empty()
    {
        return Some(format!("可选：{}", valid.join("、")));
    }
    if let Some(ContextValue::Bool(true)) = error.get(ContextKind::TrailingArg) {
        let argument = context(error, ContextKind::InvalidArg).unwrap_or_default();
        return Some(format!("若 {argument} 是一个值而不是选项，在它前面写 --"));
    }
    None
}

/// A context value as text, when clap gave it.
fn context(error: &Error, kind: ContextKind) -> Option<String> {
    match error.get(kind)? {
        ContextValue::None => None,
        ContextValue::Strings(values) => Some(values.join("、")),
        value => Some(value.to_string()),
    }
}

/// Why a command-line value was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueError {
    /// Not a date written as year-month-day.
    NotDate,
    /// Not a whole number from 0 to the given maximum.
    NotNumber { max: u64 },
}

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValueError::NotDate => write!(f, "应为日期，写作 年-月-日，如 2019-06-30"),
            ValueError::NotNumber { max } => write!(f, "应为 0 到 {max} 的整数"),
        }
    }
}

impl std::error::Error for ValueError {}

/// A date option's value: `2019-06-30`.
pub fn date(text: &str) -> Result<NaiveDate, ValueError> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| ValueError::NotDate)
}

/// A count option's value, such as `--weeks 20`.
pub fn count(text: &str) -> Result<u32, ValueError> {
    text.trim().parse().map_err(|_| ValueError::NotNumber {
        max: u64::from(u32::MAX),
    })
}

/// A port number, such as `--port 1111`.
pub fn port(text: &str) -> Result<u16, ValueError> {
    text.trim().parse().map_err(|_| ValueError::NotNumber {
        max: u64::from(u16::MAX),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_count_chinese_characters_twice() {
        assert_eq!(display_width("--root <目录>"), 13);
        assert_eq!(display_width("-h, --help"), 10);
    }

    #[test]
    fn values_are_refused_in_chinese() {
        assert_eq!(
            date("2019-06-30"),
            NaiveDate::from_ymd_opt(2019, 6, 30).ok_or(ValueError::NotDate)
        );
        assert_eq!(date("2019-02-30"), Err(ValueError::NotDate));
        assert_eq!(
            count("二十").map_err(|error| error.to_string()),
            Err("应为 0 到 4294967295 的整数".to_string())
        );
        assert_eq!(port("70000"), Err(ValueError::NotNumber { max: 65535 }));
    }
}
