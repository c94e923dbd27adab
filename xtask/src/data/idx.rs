//! The IDX format of the original MNIST and Fashion-MNIST files: a 4-byte magic
//! (`0, 0, type, rank`), `rank` big-endian u32 dimensions, then the values row-major.

/// An unsigned-byte IDX array (the only element type the image and label files use).
#[derive(Debug, PartialEq)]
pub struct Idx {
    pub dims: Vec<usize>,
    pub data: Vec<u8>,
}

/// Parses an (already gunzipped) IDX file holding unsigned bytes; anything else is an error
/// that says what was found.
pub fn parse(bytes: &[u8]) -> Result<Idx, String> {
    let magic = bytes.get(..4).ok_or("idx: shorter than its 4-byte magic")?;
    if magic[0] != 0 || magic[1] != 0 {
        return Err(format!(
            "idx: bad magic {magic:02x?} (not an IDX file, or still gzipped?)"
        ));
    }
    if magic[2] != 0x08 {
        return Err(format!(
            "idx: element type 0x{:02x} is not unsigned byte (0x08)",
            magic[2]
        ));
    }
    let rank = magic[3] as usize;
    let header = 4 + 4 * rank;
    let dims_bytes = bytes.get(4..header).ok_or("idx: truncated dimensions")?;
    let dims: Vec<usize> = dims_bytes
        .chunks_exact(4)
        .map(|d| u32::from_be_bytes([d[0], d[1], d[2], d[3]]) as usize)
        .collect();
    let count = dims
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .ok_or("idx: dimensions overflow")?;
    let data = &bytes[header..];
    if data.len() != count {
        return Err(format!(
            "idx: dims {dims:?} need {count} bytes, file has {}",
            data.len()
        ));
    }
    Ok(Idx {
        dims,
        data: data.to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_images_and_labels() {
        let mut images = vec![0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3];
        images.extend(0..12u8);
        let idx = parse(&images).unwrap();
        assert_eq!(idx.dims, [2, 2, 3]);
        assert_eq!(idx.data, (0..12).collect::<Vec<u8>>());
        let labels = [0, 0, 8, 1, 0, 0, 0, 3, 9, 0, 4];
        assert_eq!(
            parse(&labels).unwrap(),
            Idx {
                dims: vec![3],
                data: vec![9, 0, 4]
            }
        );
    }

    #[test]
    fn rejects_wrong_type_length_and_magic() {
        assert!(parse(&[0, 0, 0x0d, 1, 0, 0, 0, 0])
            .unwrap_err()
            .contains("0x0d"));
        assert!(parse(&[0, 0, 8, 1, 0, 0, 0, 3, 1])
            .unwrap_err()
            .contains("need 3"));
        assert!(parse(&[0x1f, 0x8b, 8, 0]).unwrap_err().contains("gzipped"));
        assert!(parse(&[0, 0, 8, 2, 0]).is_err());
    }
}
