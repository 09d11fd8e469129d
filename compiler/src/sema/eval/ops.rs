//! Binary operators: arithmetic, comparison (structural, ignoring where values were written),
//! concatenation of strings and lists, and the boolean operators.

use super::*;

impl<'a> Evaluator<'a> {
    pub(super) fn binary(&mut self, op: BinOp, a: V, b: V, span: Span) -> Val {
        use Val::*;
        let size = |v: &Val| match v {
            Str(s) => s.len(),
            List(xs) => xs.len() * std::mem::size_of::<V>(),
            Map(xs) => xs.len() * 2 * std::mem::size_of::<V>(),
            _ => 0,
        };
        match op {
            // what `+` builds, and what `==`/`!=` walk
            BinOp::Add if !self.build(size(&a.val) + size(&b.val), span) => return Error,
            BinOp::Eq | BinOp::Ne if !self.step(((size(&a.val) + size(&b.val)) / 64) as u64, span) => return Error,
            _ => {}
        }
        match (op, &a.val, &b.val) {
            (_, Error, _) | (_, _, Error) => Error,
            (BinOp::Add, Str(x), _) | (BinOp::Add, _, Str(x)) if matches!((&a.val, &b.val), (Str(_), _) | (_, Str(_))) => {
                let _ = x;
                match (self.to_text(&a), self.to_text(&b)) {
                    (Some(x), Some(y)) => Str(x + &y),
                    _ => Error,
                }
            }
            (BinOp::Add, Num(x), Num(y)) => Num(x + y),
            (BinOp::Sub, Num(x), Num(y)) => Num(x - y),
            (BinOp::Mul, Num(x), Num(y)) => Num(x * y),
            (BinOp::Div, Num(x), Num(y)) => {
                if *y == 0.0 {
                    self.err("E0204", span, "division by zero").push(self);
                    Error
                } else {
                    Num(x / y)
                }
            }
            (BinOp::Add, List(x), List(y)) => {
                let mut v = x.as_ref().clone();
                v.extend(y.iter().cloned());
                List(Arc::new(v))
            }
            (BinOp::And, Bool(x), Bool(y)) => Bool(*x && *y),
            (BinOp::Or, Bool(x), Bool(y)) => Bool(*x || *y),
            (BinOp::Eq, x, y) => Bool(x.same(y)),
            (BinOp::Ne, x, y) => Bool(!x.same(y)),
            (BinOp::Lt, Num(x), Num(y)) => Bool(x < y),
            (BinOp::Le, Num(x), Num(y)) => Bool(x <= y),
            (BinOp::Gt, Num(x), Num(y)) => Bool(x > y),
            (BinOp::Ge, Num(x), Num(y)) => Bool(x >= y),
            (op, x, y) => {
                let (tx, ty) = (x.type_name(), y.type_name());
                let hint = if matches!(x, Secret(_)) || matches!(y, Secret(_)) {
                    Some("a secret cannot be combined with text; pass it whole to a field that takes a secret")
                } else {
                    None
                };
                let code = if hint.is_some() { "E0206" } else { "E0201" };
                let mut p = self.err(code, span, format!("`{}` cannot combine {tx} and {ty}", op.as_str()));
                if let Some(h) = hint {
                    p = p.with_hint(h);
                }
                p.push(self);
                Error
            }
        }
    }
}
