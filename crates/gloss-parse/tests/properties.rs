//! Properties over arbitrary input: the parser never panics, always returns
//! an episode or a refusal, and its blocks always agree with its canonical
//! text.

use gloss_parse::model::Episode;
use gloss_parse::parse_bytes;
use proptest::prelude::*;

fn assert_blocks_consistent(episode: &Episode) {
    let text: Vec<char> = episode.canonical_text().chars().collect();
    let mut expected_start = 0;
    for block in episode.blocks() {
        assert_eq!(block.start, expected_start, "block {}", block.key);
        let slice: String = text[block.start..block.start + block.len].iter().collect();
        assert_eq!(slice, block.text, "block {}", block.key);
        assert!(!block.text.is_empty());
        expected_start = block.start + block.len + 2;
    }
    assert_eq!(expected_start.saturating_sub(2), text.len());
}

fn lines_of(seed: u64, markdown: bool, damaged: bool) -> Vec<Vec<u8>> {
    let text = if markdown { gloss_testkit::markdown(seed) } else { gloss_testkit::summary(seed) };
    let bytes = if damaged { gloss_testkit::damage(&text) } else { text.into_bytes() };
    bytes.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: gloss_testkit::proptest_cases(3000), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_give_an_episode_or_a_refusal(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        if let Ok(episode) = parse_bytes(&bytes) {
            assert_blocks_consistent(&episode);
        }
    }

    #[test]
    fn arbitrary_text_gives_an_episode_or_a_refusal(text in "(\\PC|[\\n\\r\\t πβ¨³§ΓΟ©─|#*-]){0,400}") {
        if let Ok(episode) = parse_bytes(text.as_bytes()) {
            assert_blocks_consistent(&episode);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: gloss_testkit::proptest_cases(1500), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn shuffled_summaries_give_an_episode(
        seed in 0u64..10_000,
        markdown in any::<bool>(),
        damaged in any::<bool>(),
        order in proptest::collection::vec(any::<usize>(), 0..80),
    ) {
        let lines = lines_of(seed, markdown, damaged);
        let mut bytes = Vec::new();
        for n in &order {
            bytes.extend_from_slice(&lines[n % lines.len()]);
            bytes.push(b'\n');
        }
        match parse_bytes(&bytes) {
            Ok(episode) => assert_blocks_consistent(&episode),
            Err(refusal) => prop_assert!(order.is_empty() || !refusal.to_string().is_empty()),
        }
    }
}
