//! "Did you mean" hints: the known name a misspelt one was probably meant
//! to be. Every message that names an unknown key, column, unit, rule or
//! figure uses it, so they agree on what counts as a typo.

/// The candidate most like `word`, if any is close enough to be a typo of
/// it (Jaro–Winkler similarity above 0.8); the first of equally close ones.
pub fn closest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .map(|candidate| (strsim::jaro_winkler(word, candidate), candidate))
        .filter(|(similarity, _)| *similarity > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn a_typo_finds_its_word_and_a_stranger_finds_none() {
        let known = ["disclosure", "dynamic", "missed_weeks"];
        assert_eq!(
            closest("disclosrue", known.iter().copied()),
            Some("disclosure")
        );
        assert_eq!(closest("国办采用", known.iter().copied()), None);
    }
}
