//! The few protobuf encodings the ONNX export needs (varints, length-delimited fields, fixed
//! 32-bit floats), written by hand: a generated-code crate would bring a build step and more
//! wasm for six message types that are only ever written.

#![warn(missing_docs)]

/// A message being written: fields in the order they are added.
#[derive(Debug, Default, Clone)]
pub(crate) struct Message(pub Vec<u8>);

fn varint(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let low = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(low);
            return;
        }
        out.push(low | 0x80);
    }
}

impl Message {
    fn key(&mut self, field: u32, wire: u8) {
        varint(&mut self.0, (u64::from(field) << 3) | u64::from(wire));
    }

    /// An int64/enum field (negative values as ten-byte two's complement, as protobuf does).
    pub fn int(&mut self, field: u32, v: i64) -> &mut Self {
        self.key(field, 0);
        varint(&mut self.0, v as u64);
        self
    }

    /// A float field.
    pub fn float(&mut self, field: u32, v: f32) -> &mut Self {
        self.key(field, 5);
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }

    /// A bytes field.
    pub fn bytes(&mut self, field: u32, v: &[u8]) -> &mut Self {
        self.key(field, 2);
        varint(&mut self.0, v.len() as u64);
        self.0.extend_from_slice(v);
        self
    }

    /// A string field.
    pub fn string(&mut self, field: u32, v: &str) -> &mut Self {
        self.bytes(field, v.as_bytes())
    }

    /// An embedded message field.
    pub fn message(&mut self, field: u32, m: &Message) -> &mut Self {
        self.bytes(field, &m.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_match_the_protobuf_spec() {
        let mut m = Message::default();
        m.int(1, 150).string(2, "testing").float(3, 1.0).int(4, -1);
        let mut expected = vec![0x08, 0x96, 0x01, 0x12, 0x07];
        expected.extend_from_slice(b"testing");
        expected.extend_from_slice(&[0x1d, 0x00, 0x00, 0x80, 0x3f, 0x20]);
        expected.extend_from_slice(&[0xff; 9]);
        expected.push(0x01);
        assert_eq!(m.0, expected);
    }
}
