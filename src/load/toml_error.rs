//! TOML and serde errors, told in Chinese.
//!
//! The toml crate reports syntax errors, type errors, unknown keys and missing
//! keys in English, each with a byte span. This module keeps the span and
//! rewrites the message for a clerk: what is wrong, and where possible what
//! to type instead (a "did you mean" for a misspelt key, half-width
//! punctuation for full-width, quotes around text).
//!
//! Messages it does not recognise keep their English detail behind a Chinese
//! lead, so nothing the parser said is lost.

use std::ops::Range;

use crate::diagnostics::{Diagnostic, FileId, Location};
use crate::spelling::closest;

/// A TOML error in `text` as a located diagnostic. `offset` is where `text`
/// starts within the registered file.
pub fn toml_diagnostic(
    error: &toml::de::Error,
    file: FileId,
    text: &str,
    offset: usize,
) -> Diagnostic {
    let span = clamp(error.span().unwrap_or(0..0), text);
    // A control character is invisible in the editor and makes the parser
    // report whatever it was reading (an unquoted string, an unterminated
    // one): name the character itself.
    if let Some((at, control)) = control_character(text, &span) {
        let location = Location::new(file, offset + at..offset + at + control.len_utf8());
        return control_diagnostic(control, &location);
    }
    let at_top = span.start == 0 && span.is_empty();
    let explained = explain(error.message().trim(), &text[span.clone()], at_top);
    let location = Location::new(file, offset + span.start..offset + span.end);
    let mut diagnostic = Diagnostic::error(explained.message).at(&location);
    if let Some(label) = explained.label {
        diagnostic = diagnostic.label(label);
    }
    // Full-width punctuation explains most syntax errors of a Chinese
    // input method better than any generic advice.
    if let Some(hint) = full_width_hint(text, &span).or(explained.hint) {
        diagnostic = diagnostic.hint(hint);
    }
    diagnostic
}

/// The first control character TOML never allows (all but tab and line
/// breaks) within `span`, or at its start when it is empty.
fn control_character(text: &str, span: &Range<usize>) -> Option<(usize, char)> {
    let end = if span.is_empty() {
        text[span.start..]
            .chars()
            .next()
            .map_or(span.start, |c| span.start + c.len_utf8())
    } else {
        span.end
    };
    text[span.start..end]
        .char_indices()
        .find(|(_, c)| c.is_ascii_control() && !matches!(c, '\t' | '\n' | '\r'))
        .map(|(at, c)| (span.start + at, c))
}

fn control_diagnostic(control: char, location: &Location) -> Diagnostic {
    let code = format!("U+{:04X}", u32::from(control));
    let name = match control {
        '\0' => "（空字符 NUL）",
        '\u{7f}' => "（删除符 DEL）",
        '\u{1b}' => "（转义符 ESC）",
        _ => "",
    };
    Diagnostic::error(format!("TOML 语法错误：有不允许的控制字符 {code}{name}"))
        .at(location)
        .label(format!("看不见的控制字符 {code}"))
        .hint("删去这个字符：它多半是复制粘贴或别的程序带进来的；文本里要换行请写 \\n，要制表符请写 \\t")
}

/// A span inside `text`, on character boundaries.
fn clamp(span: Range<usize>, text: &str) -> Range<usize> {
    let mut start = span.start.min(text.len());
    let mut end = span.end.clamp(start, text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    while !text.is_char_boundary(end) {
        end += 1;
    }
    start..end
}

/// What to tell the clerk about one error message.
#[derive(Debug, Default, PartialEq, Eq)]
struct Explained {
    message: String,
    label: Option<String>,
    hint: Option<String>,
}

impl Explained {
    fn new(message: impl Into<String>) -> Self {
        Explained {
            message: message.into(),
            ..Self::default()
        }
    }

    fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

/// Rewrites one message of the toml crate. `spanned` is the text it points
/// at; `at_top` says the error is about the file's top level.
fn explain(message: &str, spanned: &str, at_top: bool) -> Explained {
    if let Some(rest) = message.strip_prefix("unknown field ") {
        return unknown_key(rest);
    }
    if let Some(rest) = message.strip_prefix("missing field ") {
        let key = quoted(rest).unwrap_or(rest);
        let hint = if at_top {
            format!("在文件开头、第一个 [表头] 之前加上 {key} = …")
        } else {
            format!("在这张表里加上 {key} = …")
        };
        return Explained::new(format!("缺少必填的键 “{key}”"))
            .label(format!("这里应有 {key} = …"))
            .hint(hint);
    }
    if let Some(rest) = message.strip_prefix("invalid type: ") {
        return wrong_type(rest, spanned);
    }
    if let Some(rest) = message.strip_prefix("invalid value: ") {
        return wrong_type(rest, spanned);
    }
    if message.starts_with("duplicate key") {
        return Explained::new(format!("键 “{}” 重复出现", spanned.trim()))
            .label("重复的键")
            .hint("同一张表里每个键只能写一次；删去或合并重复的一行");
    }
    if message.contains("tables cannot be defined more than once")
        || message.contains("redefine tables")
    {
        return Explained::new("同一张表定义了两次")
            .label("重复的表头")
            .hint("同名的 [表头] 只能出现一次；把两处内容合并到一起");
    }
    if message.starts_with("invalid date") || message.starts_with("invalid datetime") {
        return invalid_date(message);
    }
    if message.starts_with("integer number overflowed") || message.contains("value was too large") {
        return Explained::new(format!("整数超出可表示的范围：{}", spanned.trim()))
            .label("数字位数太多");
    }
    if message.starts_with("floating-point number overflowed") {
        return Explained::new("小数太大").label("超出可表示的范围");
    }
    if let Some(rest) = message.strip_prefix("cannot extend value of type ") {
        let kind = rest.split(" with").next().unwrap_or(rest);
        return Explained::new(format!("这个键已是{}，不能再在它下面加键", kind_name(kind)))
            .label("与前面的定义冲突");
    }
    syntax(message)
}

/// `` `X`, expected one of `a`, `b` `` → a "did you mean" or the list of keys.
fn unknown_key(rest: &str) -> Explained {
    let key = quoted(rest).unwrap_or(rest);
    let expected: Vec<&str> = rest
        .split_once("expected")
        .map(|(_, list)| backticked(list))
        .unwrap_or_default();
    let explained = Explained::new(format!("未知的键 “{key}”")).label("不认识这个键");
    match closest(key, expected.iter().copied()) {
        Some(near) => explained.hint(format!("是否应为 {near}？")),
        None if expected.is_empty() => explained.hint("这里不能写任何键"),
        None => explained.hint(format!("这里可用的键：{}", expected.join("、"))),
    }
}

/// `` integer `3`, expected a string `` → what was found and what is wanted.
/// `spanned` is the value as written.
fn wrong_type(rest: &str, spanned: &str) -> Explained {
    let (found, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
    if let Some(explained) = integer_out_of_range(found, expected, spanned.trim()) {
        return explained;
    }
    let wanted = expected_name(expected);
    let found = found_name(found);
    Explained::new(format!("类型不对：这里应为{wanted}，而不是{found}"))
        .label(format!("应为{wanted}"))
}

/// An integer that is the right type but too large or too small: serde
/// reports one beyond 64 bits as `` integer `N` as i128 ``, and one outside
/// the field's type as `` integer `N` `` with the type (`u32`) expected.
/// The number is shown as `written` (`0x…`, `1_000`) when that is known.
fn integer_out_of_range(found: &str, expected: &str, written: &str) -> Option<Explained> {
    let value = found.strip_prefix("integer `")?;
    let (value, wide) = match value.split_once("` as ") {
        Some((value, _)) => (value, true),
        None => (value.strip_suffix('`')?, false),
    };
    let negative = value.starts_with('-');
    let range = integer_range(expected.trim());
    let shown = if written.is_empty() { value } else { written };
    // A number beyond 128 bits does not parse: it is out of any range.
    let outside = |(low, high): (i128, i128)| {
        value
            .parse::<i128>()
            .map_or(true, |number| number < low || number > high)
    };
    let explained = match range {
        Some((0, _)) if negative => {
            Explained::new(format!("这里不能为负数：{shown}")).label("应为 0 或正整数")
        }
        Some(range) if outside(range) => Explained::new(format!("整数超出允许的范围：{shown}"))
            .label(format!("应在 {} 到 {} 之间", range.0, range.1)),
        _ if wide => Explained::new(format!("整数超出可表示的范围：{shown}")).label("数字位数太多"),
        _ => return None,
    };
    Some(explained)
}

/// The values a Rust integer type holds, by the name serde gives it.
fn integer_range(name: &str) -> Option<(i128, i128)> {
    Some(match name {
        "u8" => (0, u8::MAX.into()),
        "u16" => (0, u16::MAX.into()),
        "u32" => (0, u32::MAX.into()),
        "u64" | "usize" => (0, u64::MAX.into()),
        "i8" => (i8::MIN.into(), i8::MAX.into()),
        "i16" => (i16::MIN.into(), i16::MAX.into()),
        "i32" => (i32::MIN.into(), i32::MAX.into()),
        "i64" | "isize" => (i64::MIN.into(), i64::MAX.into()),
        _ => return None,
    })
}

fn found_name(found: &str) -> String {
    let (kind, value) = match found.split_once(' ') {
        Some((kind, value)) => (kind, value.trim_matches('`')),
        None => (found, ""),
    };
    let name = match kind {
        "integer" => "整数",
        "floating" => "小数",
        "string" => "文本",
        "boolean" => "布尔值",
        "map" => "表",
        "sequence" => "数组",
        "unit" | "option" => "空值",
        "char" => "字符",
        _ => return found.to_string(),
    };
    let value = value.trim_start_matches("point ").trim_matches('`');
    if value.is_empty() {
        name.to_string()
    } else {
        format!("{name} {value}")
    }
}

fn expected_name(expected: &str) -> &'static str {
    let expected = expected.trim();
    if expected.contains("datetime") || expected.contains("date") {
        "日期（例如 2019-06-05）"
    } else if expected.contains("string") {
        "文本（用英文双引号括起来）"
    } else if expected.contains("sequence") {
        "数组（[…]）"
    } else if expected.contains("bool") {
        "布尔值（true 或 false）"
    } else if expected.starts_with('i') || expected.starts_with('u') || expected.contains("integer")
    {
        "整数"
    } else if expected.starts_with('f') {
        "数字"
    } else if expected.contains("struct") || expected.contains("map") || expected.contains("table")
    {
        "表（[表头] 或 { … }）"
    } else {
        "其他类型的值"
    }
}

fn invalid_date(message: &str) -> Explained {
    let detail = message.split_once("expected ").map(|(_, wanted)| wanted);
    let label = match detail.and_then(date_range) {
        Some((part, low, high)) => format!("{part}应在 {low} 到 {high} 之间"),
        None => "写作 年-月-日，例如 2019-06-05".to_string(),
    };
    Explained::new("日期不存在或写法不对")
        .label(label)
        .hint("日期写作 2019-06-05，月、日各两位数字")
}

/// `day between 01 and 28` → (日, 01, 28).
fn date_range(wanted: &str) -> Option<(&'static str, &str, &str)> {
    let mut words = wanted.split_whitespace();
    let part = match words.next()? {
        "day" => "日",
        "month" => "月",
        "hour" | "hours" => "时",
        "minute" | "minutes" => "分",
        "second" => "秒",
        _ => return None,
    };
    let low = words.nth(1)?;
    let high = words.nth(1)?;
    Some((part, low, high))
}

/// A syntax error of the TOML parser: `description, expected tokens`.
fn syntax(message: &str) -> Explained {
    let (description, expected) = match message.split_once(", expected ") {
        Some((description, expected)) => (description, Some(expected)),
        None => (message, None),
    };
    let what = syntax_description(description);
    let mut explained = match what {
        Some(what) => Explained::new(format!("TOML 语法错误：{what}")),
        None => Explained::new(format!("TOML 语法错误（{message}）")),
    };
    if description == "string values must be quoted" {
        return explained
            .label("文本要加英文引号")
            .hint("文本要用英文双引号括起来，例如 unit = \"十字路街道\"");
    }
    if let Some(expected) = expected.and_then(expected_tokens) {
        explained = explained.label(format!("此处应为 {expected}"));
    }
    explained
}

fn syntax_description(description: &str) -> Option<&'static str> {
    Some(match description {
        "string values must be quoted" => "文本没有加引号",
        "invalid basic string" | "invalid string" => "双引号文本没有结束",
        "invalid literal string" => "单引号文本没有结束",
        "invalid multi-line basic string" | "invalid multi-line literal string" => {
            "多行文本没有结束"
        }
        "missing escaped value" => "反斜杠 \\ 后面的转义写法不对",
        "too few unicode value digits" => "\\u 后面的十六进制位数不够",
        "unclosed array" => "数组缺少右方括号 ]",
        "unclosed inline table" => "行内表缺少右花括号 }",
        "unclosed table" => "表头缺少右方括号 ]",
        "unclosed array table" => "数组表头缺少 ]]",
        "key with no value" | "missing assignment between key-value pairs" => "键后面缺少 =",
        "missing value" | "missing value for key" => "= 后面缺少值",
        "invalid unquoted key" => "键里有不允许的字符",
        "unquoted keys cannot be empty" => "键是空的",
        "missing comma between array elements" => "数组元素之间缺少逗号",
        "missing comma between key-value pairs" => "行内表的键值之间缺少逗号",
        "extra comma in inline table" => "行内表里多了一个逗号",
        "extra comma in array" => "数组里多了一个逗号",
        "extra assignment between key-value pairs" => "键值对之间缺少逗号，或多了一个 =",
        "extra `=`" => "多了一个 =",
        "unexpected `=` in array" => "数组里不能有 =",
        "missing key for inline table element" => "行内表里缺少键",
        "invalid inline table element" => "行内表里的写法不对",
        "missing array opening" => "缺少左方括号 [",
        "missing inline table opening" => "缺少左花括号 {",
        "missing table open" => "表头缺少左方括号 [",
        "missing opening quote" => "缺少开头的引号",
        "missing comment start" => "注释要以 # 开头",
        "invalid comment character" => "注释里有不允许的控制字符",
        "unexpected content between comment and newline" => "注释后面有多余的内容",
        "carriage return must be followed by newline" => "换行符不完整（单独的回车符）",
        "unexpected content" | "unexpected key or value" => "这里有多余的内容",
        "invalid key-value pair" => "键值对的写法不对",
        "invalid value" => "无法识别的值",
        "invalid boolean" => "布尔值只能是 true 或 false",
        "invalid integer number" => "整数的写法不对",
        "invalid float" | "invalid fraction" | "invalid exponent" | "invalid mantissa" => {
            "小数的写法不对"
        }
        "invalid binary number" | "invalid octal number" | "invalid hexadecimal number" => {
            "进制数的写法不对"
        }
        "unexpected leading zero" => "数字不能以 0 开头",
        "unexpected sign" | "redundant numeric sign" => "多余的正负号",
        "integers with a radix cannot be signed" => "带进制前缀的整数不能有正负号",
        "redundant integer number prefix" | "radix must be lowercase" => "进制前缀写法不对",
        "`_` may only go between digits" => "_ 只能写在两个数字之间",
        "invalid date-time" => "日期的写法不对",
        "invalid key" => "键的写法不对",
        "invalid table" => "表头的写法不对",
        "cannot recurse further; max recursion depth met" => "嵌套层数太多",
        _ => return None,
    })
}

/// `` `]` `` or `` `b`, `e`, `f` `` or `letters, numbers` → Chinese tokens.
fn expected_tokens(expected: &str) -> Option<String> {
    let tokens: Vec<String> = expected
        .split(", ")
        .flat_map(|part| part.split(" or "))
        .filter_map(|token| {
            let token = token.trim();
            if let Some(literal) = token.strip_prefix('`').and_then(|t| t.strip_suffix('`')) {
                return Some(match literal {
                    "\n" => "换行".to_string(),
                    _ => format!("“{literal}”"),
                });
            }
            let name = match token {
                "key" => "键",
                "value" => "值",
                "letters" => "字母",
                "numbers" | "digits" => "数字",
                "literal string" => "单引号文本",
                "basic string" => "双引号文本",
                "multi-line basic string" => "多行文本",
                "nothing" | "" => return None,
                _ => "其他内容",
            };
            Some(name.to_string())
        })
        .collect();
    (!tokens.is_empty()).then(|| tokens.join("、"))
}

/// A hint when the line of the error holds full-width punctuation, the most
/// common slip of a Chinese input method in a TOML file.
fn full_width_hint(text: &str, span: &Range<usize>) -> Option<String> {
    let line_start = text[..span.start].rfind('\n').map_or(0, |at| at + 1);
    let line_end = text[span.start..]
        .find('\n')
        .map_or(text.len(), |at| span.start + at);
    let line = &text[line_start..line_end];
    let found: String = line
        .chars()
        .filter(|c| "“”‘’，＝：［］｛｝＃".contains(*c))
        .collect();
    (!found.is_empty()).then(|| {
        format!("这一行有全角标点 {found}；TOML 的引号、逗号、等号和括号要用半角（英文）标点")
    })
}

fn kind_name(kind: &str) -> &'static str {
    match kind {
        "integer" => "整数",
        "float" => "小数",
        "string" => "文本",
        "boolean" => "布尔值",
        "array" => "数组",
        "inline table" => "行内表",
        "datetime" => "日期",
        _ => "一个值",
    }
}

/// The first `` `quoted` `` word of a message.
fn quoted(text: &str) -> Option<&str> {
    backticked(text).into_iter().next()
}

/// Every `` `quoted` `` word of a message, in order.
fn backticked(text: &str) -> Vec<&str> {
    text.split('`').skip(1).step_by(2).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_key_suggests_the_closest() {
        let explained = explain(
            "unknown field `titel`, expected one of `title`, `office`",
            "titel",
            false,
        );
        assert_eq!(explained.message, "未知的键 “titel”");
        assert_eq!(explained.hint.as_deref(), Some("是否应为 title？"));
    }

    #[test]
    fn unknown_key_lists_keys_when_nothing_is_close() {
        let explained = explain("unknown field `zz`, expected `key` or `label`", "zz", false);
        assert_eq!(explained.hint.as_deref(), Some("这里可用的键：key、label"));
    }

    #[test]
    fn wrong_type_names_both_types() {
        let explained = explain("invalid type: integer `3`, expected a string", "3", false);
        assert_eq!(
            explained.message,
            "类型不对：这里应为文本（用英文双引号括起来），而不是整数 3"
        );
    }

    #[test]
    fn integers_out_of_range_say_so() {
        let explained = explain(
            "invalid type: integer `99999999999999999999999` as i128, expected any valid TOML value",
            "99999999999999999999999",
            false,
        );
        assert_eq!(
            explained.message,
            "整数超出可表示的范围：99999999999999999999999"
        );
        let explained = explain(
            "invalid type: integer `-99999999999999999999999` as i128, expected u64",
            "",
            false,
        );
        assert_eq!(
            explained.message,
            "这里不能为负数：-99999999999999999999999"
        );
        let explained = explain(
            "invalid value: integer `4294967296`, expected u32",
            "",
            false,
        );
        assert_eq!(explained.message, "整数超出允许的范围：4294967296");
        assert_eq!(
            explained.label.as_deref(),
            Some("应在 0 到 4294967295 之间")
        );
        let explained = explain("invalid value: integer `-1`, expected u64", "", false);
        assert_eq!(explained.message, "这里不能为负数：-1");
    }

    #[test]
    fn control_characters_are_found_in_or_at_the_span() {
        assert_eq!(control_character("a = 1\0", &(4..6)), Some((5, '\0')));
        assert_eq!(control_character("# x\0", &(3..3)), Some((3, '\0')));
        assert_eq!(
            control_character("s = \"\u{1b}\"", &(5..6)),
            Some((5, '\u{1b}'))
        );
        assert_eq!(control_character("a = \t1", &(4..6)), None);
        assert_eq!(control_character("a = 1", &(5..5)), None);
    }

    #[test]
    fn syntax_errors_are_translated() {
        let explained = explain("unclosed array, expected `]`", "", false);
        assert_eq!(explained.message, "TOML 语法错误：数组缺少右方括号 ]");
        assert_eq!(explained.label.as_deref(), Some("此处应为 “]”"));
    }

    #[test]
    fn unknown_messages_keep_their_detail() {
        let explained = explain("something new", "", false);
        assert_eq!(explained.message, "TOML 语法错误（something new）");
    }

    #[test]
    fn full_width_punctuation_is_pointed_out() {
        let text = "a = 1\nunit = “板泉镇”\n";
        let hint = full_width_hint(text, &(13..16));
        assert!(hint.is_some_and(|hint| hint.contains("“”")));
    }

    #[test]
    fn clamp_keeps_spans_on_character_boundaries() {
        assert_eq!(clamp(1..2, "镇"), 0..3);
        assert_eq!(clamp(9..12, "ab"), 2..2);
    }
}
