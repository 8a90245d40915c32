//! One line of a log: `{"crc":"<crc32 of op>","op":<op>}` and a newline.
//!
//! The checksum covers the op's JSON exactly as written, so a line cut off,
//! half-copied or mangled by a sync tool reads as damaged, never as a
//! different op. A line without its newline is not finished yet.

use serde::Deserialize;
use serde_json::value::RawValue;

use super::Op;

/// Why a line is not a valid record.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("not a log record: {0}")]
    NotARecord(serde_json::Error),
    #[error("checksum mismatch (the line was damaged)")]
    Checksum,
    #[error("checksum ok but the change is not one this Gloss knows: {0}")]
    UnknownChange(serde_json::Error),
    #[error("checksum ok but the record is not one Gloss writes: {0}")]
    Invalid(String),
}

#[derive(Deserialize)]
struct Line<'a> {
    crc: &'a str,
    #[serde(borrow)]
    op: &'a RawValue,
}

fn checksum(bytes: &[u8]) -> String {
    format!("{:08x}", crc32fast::hash(bytes))
}

/// The checksum and op of a line as [`encode`] writes it, found without a
/// JSON parse: a damaged line (a whole folder of them, perhaps) then costs a
/// checksum, not a parse.
fn split_encoded(line: &[u8]) -> Option<(&[u8], &[u8])> {
    let rest = line.strip_prefix(b"{\"crc\":\"")?;
    let (crc, rest) = rest.split_at_checked(8)?;
    Some((crc, rest.strip_prefix(b"\",\"op\":")?.strip_suffix(b"}")?))
}

fn crc_matches(crc: &[u8], bytes: &[u8]) -> bool {
    let crc = std::str::from_utf8(crc).ok().and_then(|hex| u32::from_str_radix(hex, 16).ok());
    crc == Some(crc32fast::hash(bytes))
}

/// Appends `op` as one line, newline included, to `out`.
pub fn encode(op: &Op, out: &mut Vec<u8>) -> serde_json::Result<()> {
    let json = serde_json::to_vec(op)?;
    out.extend_from_slice(b"{\"crc\":\"");
    out.extend_from_slice(checksum(&json).as_bytes());
    out.extend_from_slice(b"\",\"op\":");
    out.extend_from_slice(&json);
    out.extend_from_slice(b"}\n");
    Ok(())
}

/// Reads one line (without its newline).
pub fn decode(line: &[u8]) -> Result<Op, RecordError> {
    let record: Line;
    let (crc, raw) = match split_encoded(line) {
        Some(parts) => parts,
        None => {
            record = serde_json::from_slice(line).map_err(RecordError::NotARecord)?;
            (record.crc.as_bytes(), record.op.get().as_bytes())
        }
    };
    if crc.len() != 8 || !crc_matches(crc, raw) {
        return Err(RecordError::Checksum);
    }
    let op: Op = serde_json::from_slice(raw).map_err(RecordError::UnknownChange)?;
    op.check().map_err(RecordError::Invalid)?;
    Ok(op)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Change, DeviceId, Hlc};

    fn sample() -> Op {
        Op {
            device: "0123456789abcdef".parse::<DeviceId>().unwrap(),
            seq: 9,
            stamp: Hlc::new(1, 2),
            change: Change::SetRead { episode: "fp \"quoted\" é".into(), read: true },
        }
    }

    #[test]
    fn a_record_reads_back_and_ends_with_one_newline() {
        let mut out = Vec::new();
        encode(&sample(), &mut out).unwrap();
        assert_eq!(out.iter().filter(|&&b| b == b'\n').count(), 1);
        assert_eq!(decode(&out[..out.len() - 1]).unwrap(), sample());
    }

    #[test]
    fn numbers_no_gloss_writes_are_refused_however_well_checksummed() {
        let forged = |seq: u64, ms: u64| {
            let mut op = sample();
            (op.seq, op.stamp) = (seq, Hlc::new(ms, 0));
            let mut out = Vec::new();
            encode(&op, &mut out).unwrap();
            decode(&out[..out.len() - 1])
        };
        for (seq, ms) in [(0, 1), (1 << 63, 1), (u64::MAX, 1), (crate::op::MAX_NUMBER + 1, 1), (1, u64::MAX)] {
            assert!(matches!(forged(seq, ms), Err(RecordError::Invalid(_))), "seq {seq}, ms {ms}");
        }
        assert!(forged(crate::op::MAX_NUMBER, crate::op::MAX_NUMBER).is_ok());
    }

    #[test]
    fn every_cut_or_flipped_byte_is_caught() {
        let mut out = Vec::new();
        encode(&sample(), &mut out).unwrap();
        let line = &out[..out.len() - 1];
        for cut in 0..line.len() {
            assert!(decode(&line[..cut]).is_err(), "cut at {cut}");
        }
        let op_start = line.windows(5).position(|w| w == b"\"op\":").unwrap() + 5;
        for at in op_start..line.len() - 1 {
            let mut damaged = line.to_vec();
            damaged[at] ^= 0x01;
            assert!(decode(&damaged).is_err(), "flip at {at}");
        }
    }
}
