//! A small, bounded unpickler for the subset of Python's pickle format that `torch.save` writes
//! for a `state_dict` (protocol 2), so weights convert without Python or PyTorch.
//!
//! It builds plain values and never runs code: `GLOBAL` only names a callable, and `REDUCE`
//! turns into a [`Value::Call`] unless it is one of the few constructors a state dict needs
//! (`collections.OrderedDict`, `torch._utils._rebuild_tensor_v2`, `_rebuild_parameter`), which
//! are recognised by name. Memo entries are copies, not shared references: good enough for
//! state dicts, whose memoised objects are not mutated after being referenced again.

use std::collections::HashMap;

/// Most stack entries, memo entries and nesting levels one pickle may build, so a corrupt or
/// hostile file fails quickly with a message instead of exhausting memory.
const MAX_ITEMS: usize = 1 << 20;

/// A Python value as far as a torch state dict needs one.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    None,
    Bool(bool),
    Int(i64),
    /// An integer too large for i64 (e.g. torch's legacy magic number), little-endian two's
    /// complement bytes as `LONG1` stores them.
    BigInt(Vec<u8>),
    Float(f64),
    Str(String),
    Bytes(Vec<u8>),
    Tuple(Vec<Value>),
    List(Vec<Value>),
    /// A dict or OrderedDict, in insertion order.
    Dict(Vec<(Value, Value)>),
    /// `module.name`, as named by `GLOBAL`.
    Global(String, String),
    /// The result of `persistent_load(pid)`: torch uses it for tensor storages.
    Persistent(Box<Value>),
    /// `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...)`.
    Tensor(Box<TensorRef>),
    /// Any other `callable(*args)`, with the state a later `BUILD` gave it.
    Call(Box<Value>, Box<Value>, Option<Box<Value>>),
}

/// A tensor as a pickle describes it: a view into a storage named by its persistent id.
#[derive(Clone, Debug, PartialEq)]
pub struct TensorRef {
    /// The persistent id tuple of the storage, e.g. `('storage', FloatStorage, '0', 'cpu', 864)`.
    pub storage: Value,
    /// Offset into the storage, in elements.
    pub offset: usize,
    pub shape: Vec<usize>,
    /// Strides in elements.
    pub stride: Vec<usize>,
}

enum Slot {
    Mark,
    V(Value),
}

/// Reads one pickle from the start of `data`; returns its value and the number of bytes it
/// used, so that several pickles written back to back (torch's legacy format) can be read.
pub fn load(data: &[u8]) -> Result<(Value, usize), String> {
    let mut r = Reader { data, pos: 0 };
    let mut stack: Vec<Slot> = Vec::new();
    let mut memo: HashMap<u32, Value> = HashMap::new();
    loop {
        if stack.len() > MAX_ITEMS || memo.len() > MAX_ITEMS {
            return Err("pickle: too many objects (corrupt file?)".into());
        }
        let at = r.pos;
        let op = r.u8()?;
        match op {
            0x80 => {
                let proto = r.u8()?;
                if proto > 2 {
                    return Err(format!(
                        "pickle: protocol {proto} is not supported (only 2)"
                    ));
                }
            }
            b'.' => {
                let v = pop(&mut stack, at)?;
                return Ok((v, r.pos));
            }
            b'(' => stack.push(Slot::Mark),
            b'N' => stack.push(Slot::V(Value::None)),
            0x88 => stack.push(Slot::V(Value::Bool(true))),
            0x89 => stack.push(Slot::V(Value::Bool(false))),
            b'K' => stack.push(Slot::V(Value::Int(r.u8()? as i64))),
            b'M' => stack.push(Slot::V(Value::Int(r.uint(2)? as i64))),
            b'J' => stack.push(Slot::V(Value::Int(r.uint(4)? as u32 as i32 as i64))),
            0x8a => {
                let n = r.u8()? as usize;
                let bytes = r.take(n)?;
                stack.push(Slot::V(long_value(bytes)));
            }
            b'G' => {
                let b = r.take(8)?;
                let mut a = [0u8; 8];
                a.copy_from_slice(b);
                stack.push(Slot::V(Value::Float(f64::from_be_bytes(a))));
            }
            b'X' | b'T' | b'U' | b'B' | b'C' => {
                let n = if matches!(op, b'U' | b'C') {
                    r.u8()? as usize
                } else {
                    r.uint(4)? as usize
                };
                let bytes = r.take(n)?;
                let v = if op == b'B' || op == b'C' {
                    Value::Bytes(bytes.to_vec())
                } else {
                    // 'T'/'U' are Python 2 byte strings; torch only writes ASCII in them.
                    Value::Str(String::from_utf8_lossy(bytes).into_owned())
                };
                stack.push(Slot::V(v));
            }
            b')' => stack.push(Slot::V(Value::Tuple(Vec::new()))),
            b']' => stack.push(Slot::V(Value::List(Vec::new()))),
            b'}' => stack.push(Slot::V(Value::Dict(Vec::new()))),
            b't' => {
                let items = pop_to_mark(&mut stack, at)?;
                stack.push(Slot::V(Value::Tuple(items)));
            }
            0x85..=0x87 => {
                let n = (op - 0x84) as usize;
                let mut items = Vec::with_capacity(n);
                for _ in 0..n {
                    items.push(pop(&mut stack, at)?);
                }
                items.reverse();
                stack.push(Slot::V(Value::Tuple(items)));
            }
            b'q' | b'r' => {
                let key = if op == b'q' {
                    r.u8()? as u32
                } else {
                    r.uint(4)? as u32
                };
                match stack.last() {
                    Some(Slot::V(v)) => memo.insert(key, v.clone()),
                    _ => return Err(format!("pickle: PUT with nothing to store at byte {at}")),
                };
            }
            b'h' | b'j' => {
                let key = if op == b'h' {
                    r.u8()? as u32
                } else {
                    r.uint(4)? as u32
                };
                let v = memo
                    .get(&key)
                    .ok_or_else(|| format!("pickle: GET of unknown memo {key} at byte {at}"))?;
                stack.push(Slot::V(v.clone()));
            }
            b'a' => {
                let item = pop(&mut stack, at)?;
                list_mut(&mut stack, at)?.push(item);
            }
            b'e' => {
                let items = pop_to_mark(&mut stack, at)?;
                list_mut(&mut stack, at)?.extend(items);
            }
            b's' => {
                let v = pop(&mut stack, at)?;
                let k = pop(&mut stack, at)?;
                dict_mut(&mut stack, at)?.push((k, v));
            }
            b'u' => {
                let items = pop_to_mark(&mut stack, at)?;
                if items.len() % 2 != 0 {
                    return Err(format!("pickle: SETITEMS with an odd count at byte {at}"));
                }
                let dict = dict_mut(&mut stack, at)?;
                let mut it = items.into_iter();
                while let (Some(k), Some(v)) = (it.next(), it.next()) {
                    dict.push((k, v));
                }
            }
            b'c' => {
                let module = r.line()?;
                let name = r.line()?;
                stack.push(Slot::V(Value::Global(module, name)));
            }
            b'R' | 0x81 => {
                let args = pop(&mut stack, at)?;
                let callable = pop(&mut stack, at)?;
                stack.push(Slot::V(reduce(callable, args)?));
            }
            b'b' => {
                let state = pop(&mut stack, at)?;
                match stack.last_mut() {
                    // OrderedDict's state is its `_metadata` attribute: not needed here.
                    Some(Slot::V(Value::Dict(_))) => {}
                    Some(Slot::V(Value::Tensor(_))) => {}
                    Some(Slot::V(Value::Call(_, _, s))) => *s = Some(Box::new(state)),
                    _ => {
                        return Err(format!(
                            "pickle: BUILD on an unexpected object at byte {at}"
                        ))
                    }
                }
            }
            b'Q' => {
                let pid = pop(&mut stack, at)?;
                stack.push(Slot::V(Value::Persistent(Box::new(pid))));
            }
            other => {
                return Err(format!(
                    "pickle: opcode 0x{other:02x} at byte {at} is not supported by this \
                     state-dict reader (is the file a torch state_dict?)"
                ))
            }
        }
    }
}

/// Applies the constructors a state dict uses; anything else stays an inert [`Value::Call`].
fn reduce(callable: Value, args: Value) -> Result<Value, String> {
    let Value::Global(module, name) = &callable else {
        return Ok(Value::Call(Box::new(callable), Box::new(args), None));
    };
    let Value::Tuple(a) = &args else {
        return Err(format!(
            "pickle: {module}.{name} called without an argument tuple"
        ));
    };
    match (module.as_str(), name.as_str()) {
        ("collections", "OrderedDict") if a.is_empty() => Ok(Value::Dict(Vec::new())),
        ("torch._utils", "_rebuild_tensor_v2") if a.len() >= 4 => {
            Ok(Value::Tensor(Box::new(TensorRef {
                storage: match &a[0] {
                    Value::Persistent(pid) => (**pid).clone(),
                    _ => return Err("pickle: tensor storage is not a persistent id".into()),
                },
                offset: as_usize(&a[1])?,
                shape: usize_tuple(&a[2])?,
                stride: usize_tuple(&a[3])?,
            })))
        }
        ("torch._utils", "_rebuild_parameter") if !a.is_empty() => Ok(a[0].clone()),
        _ => Ok(Value::Call(Box::new(callable), Box::new(args), None)),
    }
}

/// A non-negative integer, for sizes and offsets.
pub fn as_usize(v: &Value) -> Result<usize, String> {
    match v {
        Value::Int(i) if *i >= 0 => Ok(*i as usize),
        other => Err(format!(
            "pickle: expected a non-negative int, found {other:?}"
        )),
    }
}

fn usize_tuple(v: &Value) -> Result<Vec<usize>, String> {
    match v {
        Value::Tuple(items) => items.iter().map(as_usize).collect(),
        other => Err(format!("pickle: expected a tuple of ints, found {other:?}")),
    }
}

fn long_value(bytes: &[u8]) -> Value {
    if bytes.len() <= 8 {
        let negative = bytes.last().is_some_and(|b| b & 0x80 != 0);
        let mut a = [if negative { 0xff } else { 0 }; 8];
        a[..bytes.len()].copy_from_slice(bytes);
        Value::Int(i64::from_le_bytes(a))
    } else {
        Value::BigInt(bytes.to_vec())
    }
}

fn pop(stack: &mut Vec<Slot>, at: usize) -> Result<Value, String> {
    match stack.pop() {
        Some(Slot::V(v)) => Ok(v),
        Some(Slot::Mark) => Err(format!("pickle: unexpected MARK at byte {at}")),
        None => Err(format!("pickle: stack underflow at byte {at}")),
    }
}

fn pop_to_mark(stack: &mut Vec<Slot>, at: usize) -> Result<Vec<Value>, String> {
    let mut items = Vec::new();
    loop {
        match stack.pop() {
            Some(Slot::V(v)) => items.push(v),
            Some(Slot::Mark) => break,
            None => return Err(format!("pickle: no MARK before byte {at}")),
        }
    }
    items.reverse();
    Ok(items)
}

fn list_mut(stack: &mut [Slot], at: usize) -> Result<&mut Vec<Value>, String> {
    match stack.last_mut() {
        Some(Slot::V(Value::List(l))) => Ok(l),
        _ => Err(format!("pickle: APPEND to a non-list at byte {at}")),
    }
}

fn dict_mut(stack: &mut [Slot], at: usize) -> Result<&mut Vec<(Value, Value)>, String> {
    match stack.last_mut() {
        Some(Slot::V(Value::Dict(d))) => Ok(d),
        _ => Err(format!("pickle: SETITEM on a non-dict at byte {at}")),
    }
}

struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.data.len());
        let end = end.ok_or_else(|| format!("pickle: truncated at byte {}", self.pos))?;
        let s = &self.data[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }

    /// Little-endian unsigned integer of `n` ≤ 8 bytes.
    fn uint(&mut self, n: usize) -> Result<u64, String> {
        Ok(self
            .take(n)?
            .iter()
            .rev()
            .fold(0u64, |acc, &b| (acc << 8) | b as u64))
    }

    fn line(&mut self) -> Result<String, String> {
        let rest = &self.data[self.pos..];
        let len = rest
            .iter()
            .take(256)
            .position(|&b| b == b'\n')
            .ok_or_else(|| format!("pickle: unterminated GLOBAL name at byte {}", self.pos))?;
        let s = String::from_utf8_lossy(&rest[..len]).into_owned();
        self.pos += len + 1;
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_scalars_and_containers() {
        // pickle.dumps({'a': [1, 300, -2, 70000], 'b': (True, None, 1.5), 'c': 'é'}, protocol=2)
        let data: &[u8] = b"\x80\x02}q\x00(X\x01\x00\x00\x00aq\x01]q\x02(K\x01M,\x01J\xfe\xff\xff\xffJp\x11\x01\x00eX\x01\x00\x00\x00bq\x03\x88NG?\xf8\x00\x00\x00\x00\x00\x00\x87q\x04X\x01\x00\x00\x00cq\x05X\x02\x00\x00\x00\xc3\xa9q\x06u.";
        let (v, used) = load(data).unwrap();
        assert_eq!(used, data.len());
        let Value::Dict(items) = v else {
            panic!("not a dict")
        };
        assert_eq!(items[0].0, Value::Str("a".into()));
        assert_eq!(
            items[0].1,
            Value::List(vec![
                Value::Int(1),
                Value::Int(300),
                Value::Int(-2),
                Value::Int(70000)
            ])
        );
        assert_eq!(
            items[1].1,
            Value::Tuple(vec![Value::Bool(true), Value::None, Value::Float(1.5)])
        );
        assert_eq!(items[2].1, Value::Str("é".into()));
    }

    #[test]
    fn long1_and_memo() {
        // l = []; pickle.dumps((0x1950a86a20f9469cfc6c, -1, l, l), protocol=2)
        let data: &[u8] =
            b"\x80\x02(\x8a\nl\xfc\x9cF\xf9 j\xa8P\x19J\xff\xff\xff\xff]q\x00h\x00tq\x01.";
        let (v, _) = load(data).unwrap();
        let Value::Tuple(items) = v else {
            panic!("not a tuple")
        };
        assert!(matches!(&items[0], Value::BigInt(b) if b.len() == 10));
        assert_eq!(items[1], Value::Int(-1));
        assert_eq!(items[2], items[3]);
    }

    #[test]
    fn rejects_code_and_truncation() {
        assert!(load(b"\x80\x02K").is_err());
        assert!(load(b"\x80\x04K\x01.").unwrap_err().contains("protocol 4"));
        assert!(load(b"\x80\x02Vabc\n.").unwrap_err().contains("0x56"));
        assert!(load(b"\x80\x02t.").is_err());
    }
}
