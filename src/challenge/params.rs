//! A challenge's parameters: the first few in line, the rest in a `Vec`.

use std::borrow::Cow;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Param {
    pub(super) name: Cow<'static, str>,
    pub(super) value: Cow<'static, str>,
}

/// How many parameters a challenge keeps in line: a Bearer challenge sends at most `realm`,
/// `error`, `error_description` and `scope` (or `error_uri`).
pub(super) const INLINE_PARAMS: usize = 4;

pub(super) const NO_PARAM: Param = Param {
    name: Cow::Borrowed(""),
    value: Cow::Borrowed(""),
};

/// A challenge's parameters, in order: up to [`INLINE_PARAMS`] in line, so that building the
/// usual challenge allocates nothing of its own; all of them in a `Vec` past that.
#[derive(Clone)]
pub(super) struct Params {
    pub(super) len: u8,
    pub(super) inline: [Param; INLINE_PARAMS],
    /// Every parameter, once there are more than fit in line; empty until then.
    pub(super) spilled: Vec<Param>,
}

impl Params {
    pub(super) const fn new() -> Self {
        Self {
            len: 0,
            inline: [NO_PARAM; INLINE_PARAMS],
            spilled: Vec::new(),
        }
    }

    pub(super) fn as_slice(&self) -> &[Param] {
        if self.spilled.is_empty() {
            &self.inline[..usize::from(self.len)]
        } else {
            &self.spilled
        }
    }

    pub(super) fn as_mut_slice(&mut self) -> &mut [Param] {
        if self.spilled.is_empty() {
            &mut self.inline[..usize::from(self.len)]
        } else {
            &mut self.spilled
        }
    }

    pub(super) fn iter(&self) -> std::slice::Iter<'_, Param> {
        self.as_slice().iter()
    }

    pub(super) fn is_empty(&self) -> bool {
        self.as_slice().is_empty()
    }

    pub(super) fn push(&mut self, param: Param) {
        let len = usize::from(self.len);
        if self.spilled.is_empty() && len < INLINE_PARAMS {
            self.inline[len] = param;
            self.len += 1;
            return;
        }
        if self.spilled.is_empty() {
            self.spilled = self.inline[..len]
                .iter_mut()
                .map(|slot| std::mem::replace(slot, NO_PARAM))
                .collect();
            self.len = 0;
        }
        self.spilled.push(param);
    }

    /// Puts `param` first, before the others.
    pub(super) fn insert_first(&mut self, param: Param) {
        let was_empty = self.is_empty();
        self.push(param);
        if !was_empty {
            self.as_mut_slice().rotate_right(1);
        }
    }

    pub(super) fn retain(&mut self, mut keep: impl FnMut(&Param) -> bool) {
        if !self.spilled.is_empty() {
            self.spilled.retain(keep);
            return;
        }
        let len = usize::from(self.len);
        let mut kept = 0;
        for index in 0..len {
            if keep(&self.inline[index]) {
                self.inline.swap(kept, index);
                kept += 1;
            }
        }
        for slot in &mut self.inline[kept..len] {
            *slot = NO_PARAM;
        }
        // `kept` is at most `len`, a `u8`.
        self.len = u8::try_from(kept).unwrap_or(self.len);
    }
}

impl PartialEq for Params {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for Params {}

impl fmt::Debug for Params {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.as_slice()).finish()
    }
}
