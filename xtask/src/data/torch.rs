//! Reads a PyTorch `state_dict` file (`.pth`) without PyTorch: both the zip format
//! (`torch.save` since 1.6: `<name>/data.pkl` plus one `<name>/data/<key>` file per storage)
//! and the legacy format (five pickles back to back, then the raw storages), which is what
//! torchvision's older checkpoints such as `mobilenet_v2-b0353104.pth` use.

use super::pickle::{self, as_usize, TensorRef, Value};
use std::collections::HashMap;
use std::io::{Cursor, Read};

/// Element types a state dict's storages hold, named as in safetensors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DType {
    F64,
    F32,
    F16,
    BF16,
    I64,
    I32,
    I16,
    I8,
    U8,
    Bool,
}

impl DType {
    fn from_storage(name: &str) -> Result<DType, String> {
        Ok(match name {
            "DoubleStorage" => DType::F64,
            "FloatStorage" => DType::F32,
            "HalfStorage" => DType::F16,
            "BFloat16Storage" => DType::BF16,
            "LongStorage" => DType::I64,
            "IntStorage" => DType::I32,
            "ShortStorage" => DType::I16,
            "CharStorage" => DType::I8,
            "ByteStorage" => DType::U8,
            "BoolStorage" => DType::Bool,
            other => return Err(format!("torch: unsupported storage type {other}")),
        })
    }

    /// Bytes per element.
    pub fn size(self) -> usize {
        match self {
            DType::F64 | DType::I64 => 8,
            DType::F32 | DType::I32 => 4,
            DType::F16 | DType::BF16 | DType::I16 => 2,
            DType::I8 | DType::U8 | DType::Bool => 1,
        }
    }
}

/// One entry of a state dict, copied out into a contiguous little-endian buffer.
#[derive(Debug, PartialEq)]
pub struct Tensor {
    pub name: String,
    pub dtype: DType,
    pub shape: Vec<usize>,
    pub data: Vec<u8>,
}

impl Tensor {
    /// The values as f32, for float tensors (what a converter to f16 needs).
    pub fn to_f32(&self) -> Result<Vec<f32>, String> {
        let chunks = self.data.chunks_exact(self.dtype.size());
        Ok(match self.dtype {
            DType::F32 => chunks.map(|b| f32::from_le_bytes(arr(b))).collect(),
            DType::F64 => chunks.map(|b| f64::from_le_bytes(arr(b)) as f32).collect(),
            DType::F16 => chunks
                .map(|b| half::f16::from_le_bytes(arr(b)).to_f32())
                .collect(),
            DType::BF16 => chunks
                .map(|b| half::bf16::from_le_bytes(arr(b)).to_f32())
                .collect(),
            other => {
                return Err(format!(
                    "torch: {} is {other:?}, not a float tensor",
                    self.name
                ))
            }
        })
    }
}

/// A fixed-size array from a slice of exactly that length (as `chunks_exact` yields).
fn arr<const N: usize>(b: &[u8]) -> [u8; N] {
    let mut a = [0u8; N];
    a.copy_from_slice(&b[..N]);
    a
}

/// Where each storage's bytes are, keyed by the storage key of its persistent id.
type Storages = HashMap<String, Vec<u8>>;

/// Reads every tensor of a `.pth` state dict, in the file's order.
pub fn read_state_dict(bytes: &[u8]) -> Result<Vec<Tensor>, String> {
    if bytes.starts_with(b"PK\x03\x04") {
        read_zip(bytes)
    } else if bytes.starts_with(b"\x80\x02\x8a\x0a") {
        read_legacy(bytes)
    } else {
        Err("torch: not a .pth file (neither zip nor legacy torch.save format)".into())
    }
}

fn read_zip(bytes: &[u8]) -> Result<Vec<Tensor>, String> {
    let mut zip =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| format!("torch zip: {e}"))?;
    let pkl = zip
        .file_names()
        .find(|n| n.ends_with("/data.pkl") && n.matches('/').count() == 1)
        .map(str::to_owned)
        .ok_or("torch zip: no <name>/data.pkl inside")?;
    let prefix = &pkl[..pkl.len() - "data.pkl".len()];
    if let Ok(mut f) = zip.by_name(&format!("{prefix}byteorder")) {
        let mut order = String::new();
        f.read_to_string(&mut order)
            .map_err(|e| format!("torch zip: {e}"))?;
        if order.trim() != "little" {
            return Err(format!("torch zip: byte order `{order}` is not supported"));
        }
    }
    let (root, _) = pickle::load(&read_member(&mut zip, &pkl)?)?;
    let mut storages = Storages::new();
    for (_, pid) in tensor_refs(&root)? {
        let (_, key, _) = storage_info(&pid.storage)?;
        if let std::collections::hash_map::Entry::Vacant(slot) = storages.entry(key) {
            let data = read_member(&mut zip, &format!("{prefix}data/{}", slot.key()))?;
            slot.insert(data);
        }
    }
    materialise(&root, &storages)
}

fn read_member(zip: &mut zip::ZipArchive<Cursor<&[u8]>>, name: &str) -> Result<Vec<u8>, String> {
    let mut f = zip
        .by_name(name)
        .map_err(|e| format!("torch zip: {name}: {e}"))?;
    let mut out = Vec::with_capacity(f.size() as usize);
    f.read_to_end(&mut out)
        .map_err(|e| format!("torch zip: {name}: {e}"))?;
    Ok(out)
}

fn read_legacy(bytes: &[u8]) -> Result<Vec<Tensor>, String> {
    let mut pos = 0;
    let mut next = || -> Result<Value, String> {
        let (v, used) = pickle::load(&bytes[pos..])?;
        pos += used;
        Ok(v)
    };
    let _magic = next()?;
    if next()? != Value::Int(1001) {
        return Err("torch legacy: unknown protocol version (expected 1001)".into());
    }
    if let Value::Dict(info) = next()? {
        let little = info
            .iter()
            .any(|(k, v)| *k == Value::Str("little_endian".into()) && *v == Value::Bool(true));
        if !little {
            return Err("torch legacy: big-endian files are not supported".into());
        }
    }
    let root = next()?;
    let Value::List(keys) = next()? else {
        return Err("torch legacy: storage key list missing".into());
    };
    // Element sizes come from the storages' types, named in the tensors' persistent ids.
    let mut elem = HashMap::new();
    for (_, t) in tensor_refs(&root)? {
        let (dtype, key, _) = storage_info(&t.storage)?;
        elem.insert(key, dtype.size());
    }
    let mut storages = Storages::new();
    for key in keys {
        let Value::Str(key) = key else {
            return Err("torch legacy: storage key is not a string".into());
        };
        let size = *elem
            .get(&key)
            .ok_or_else(|| format!("torch legacy: storage {key} unused"))?;
        let head = bytes
            .get(pos..pos + 8)
            .ok_or("torch legacy: truncated storage header")?;
        let mut n = [0u8; 8];
        n.copy_from_slice(head);
        let count =
            usize::try_from(i64::from_le_bytes(n)).map_err(|_| "torch legacy: bad count")?;
        let len = count
            .checked_mul(size)
            .ok_or("torch legacy: storage too large")?;
        let data = bytes
            .get(pos + 8..pos + 8 + len)
            .ok_or_else(|| format!("torch legacy: storage {key} truncated"))?;
        storages.insert(key, data.to_vec());
        pos += 8 + len;
    }
    materialise(&root, &storages)
}

/// The `(name, tensor)` pairs of a state dict's top-level dict.
fn tensor_refs(root: &Value) -> Result<Vec<(String, &TensorRef)>, String> {
    let Value::Dict(items) = root else {
        return Err(
            "torch: the file holds no dict (is it a whole pickled model, not a state_dict?)".into(),
        );
    };
    items
        .iter()
        .map(|(k, v)| match (k, v) {
            (Value::Str(name), Value::Tensor(t)) => Ok((name.clone(), &**t)),
            (k, _) => Err(format!("torch: entry {k:?} is not a tensor")),
        })
        .collect()
}

/// `(dtype, key, offset in elements)` of a storage persistent id; both formats' tuples start
/// `('storage', <type>, key, location, numel, ...)`; the legacy one may add a view
/// `(view_key, offset, size)`.
fn storage_info(pid: &Value) -> Result<(DType, String, usize), String> {
    let Value::Tuple(p) = pid else {
        return Err(format!("torch: bad storage id {pid:?}"));
    };
    match p.as_slice() {
        [Value::Str(tag), Value::Global(_, ty), Value::Str(key), _, _, rest @ ..]
            if tag == "storage" =>
        {
            let offset = match rest.first() {
                Some(Value::Tuple(view)) if view.len() == 3 => as_usize(&view[1])?,
                _ => 0,
            };
            Ok((DType::from_storage(ty)?, key.clone(), offset))
        }
        _ => Err(format!("torch: bad storage id {pid:?}")),
    }
}

fn materialise(root: &Value, storages: &Storages) -> Result<Vec<Tensor>, String> {
    let mut out = Vec::new();
    for (name, t) in tensor_refs(root)? {
        let (dtype, key, view_offset) = storage_info(&t.storage)?;
        let storage = storages
            .get(&key)
            .ok_or_else(|| format!("torch: storage {key} missing"))?;
        let es = dtype.size();
        let count: usize = t.shape.iter().product();
        if t.stride.len() != t.shape.len() {
            return Err(format!("torch: {name}: stride and shape differ in rank"));
        }
        let base = view_offset + t.offset;
        let mut data = Vec::with_capacity(count * es);
        let mut index = vec![0usize; t.shape.len()];
        for _ in 0..count {
            let at = base
                + index
                    .iter()
                    .zip(&t.stride)
                    .map(|(i, s)| i * s)
                    .sum::<usize>();
            let bytes = storage
                .get(at * es..(at + 1) * es)
                .ok_or_else(|| format!("torch: {name} reads past its storage"))?;
            data.extend_from_slice(bytes);
            for d in (0..index.len()).rev() {
                index[d] += 1;
                if index[d] < t.shape[d] {
                    break;
                }
                index[d] = 0;
            }
        }
        out.push(Tensor {
            name,
            dtype,
            shape: t.shape.clone(),
            data,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Made with torch 2.15 from a Conv2d(2,3,1) + BatchNorm2d(3) state dict plus a transposed
    /// tensor and an offset view (see the values asserted below), saved in both formats.
    const ZIP: &[u8] = include_bytes!("testdata/tiny_zip.pth");
    const LEGACY: &[u8] = include_bytes!("testdata/tiny_legacy.pth");

    fn check(tensors: &[Tensor]) {
        let names: Vec<&str> = tensors.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "0.weight",
                "0.bias",
                "1.weight",
                "1.bias",
                "1.running_mean",
                "1.running_var",
                "1.num_batches_tracked",
                "extra.t",
                "extra.view"
            ]
        );
        assert_eq!(tensors[0].shape, [3, 2, 1, 1]);
        assert_eq!(tensors[0].to_f32().unwrap(), [0.0, 0.5, 1.0, 1.5, 2.0, 2.5]);
        assert_eq!(tensors[1].to_f32().unwrap(), [-1.0, 0.25, 2.0]);
        assert_eq!(tensors[5].to_f32().unwrap(), [1.0, 2.0, 3.0]);
        assert_eq!(tensors[6].dtype, DType::I64);
        assert_eq!(tensors[6].shape, Vec::<usize>::new());
        assert_eq!(tensors[6].data, 7i64.to_le_bytes());
        assert!(tensors[6].to_f32().is_err());
        assert_eq!(tensors[7].shape, [4, 3]);
        let t: Vec<f32> = [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]
            .map(|v| v as f32)
            .to_vec();
        assert_eq!(tensors[7].to_f32().unwrap(), t);
        assert_eq!(tensors[8].to_f32().unwrap(), [2.0, 3.0, 4.0, 5.0]);
    }

    #[test]
    fn reads_zip_format() {
        check(&read_state_dict(ZIP).unwrap());
    }

    #[test]
    fn reads_legacy_format() {
        check(&read_state_dict(LEGACY).unwrap());
    }

    #[test]
    fn rejects_truncated_and_foreign_files() {
        assert!(read_state_dict(&LEGACY[..LEGACY.len() - 10])
            .unwrap_err()
            .contains("truncated"));
        assert!(read_state_dict(b"hello").is_err());
        assert!(read_state_dict(&ZIP[..200]).is_err());
    }
}
