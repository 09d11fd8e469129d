//! The chumsky parser: tokens → [`ast::File`] plus syntax errors. Never fails outright: a
//! broken entry is skipped up to the next entry or closing brace and parsing goes on, so one
//! run reports every independent syntax error.

use super::ast::*;
use super::lexer::Tok;
use super::Span;
use chumsky::input::{BorrowInput, Input as _, ValueInput};
use chumsky::prelude::*;

/// The error type the grammar is written over. The grammar is parsed twice at most: first
/// with [`EmptyErr`] (no error bookkeeping at all, about 4× faster on valid input), and only
/// when that pass finds an error, again with [`Rich`] errors for the diagnostics.
pub trait SynErr<'t, I: chumsky::input::Input<'t, Span = SimpleSpan>>:
    chumsky::error::Error<'t, I> + chumsky::label::LabelError<'t, I, &'static str> + Clone + 't
{
    /// An error with our own message.
    fn custom(span: SimpleSpan, msg: &'static str) -> Self;
}

impl<'t, I: chumsky::input::Input<'t, Token = Tok, Span = SimpleSpan>> SynErr<'t, I> for Rich<'t, Tok, SimpleSpan> {
    fn custom(span: SimpleSpan, msg: &'static str) -> Self {
        Rich::custom(span, msg)
    }
}

impl<'t, I: chumsky::input::Input<'t, Span = SimpleSpan>> SynErr<'t, I> for EmptyErr {
    fn custom(_: SimpleSpan, _: &'static str) -> Self {
        EmptyErr::default()
    }
}

type Err<X> = extra::Err<X>;

fn sp(s: SimpleSpan) -> Span {
    Span::new(s.start, s.end)
}

/// A syntax error as chumsky reports it, already flattened to text.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SyntaxError {
    pub span: Span,
    pub message: String,
    pub expected: Vec<String>,
    pub found: Option<String>,
}

/// Parse a token stream (from [`super::lexer::lex`]) into a file.
///
/// Two passes at most: a fast one without error bookkeeping, which is all a valid file
/// needs, and, when it finds an error, a second one with [`Rich`] errors (see
/// [`parse_tokens_rich`]). The grammar is the same, so both give the same tree.
pub fn parse_tokens(tokens: &[(Tok, Span)], src_len: usize) -> (File, Vec<SyntaxError>) {
    parse_owned(tokens.to_vec(), src_len)
}

/// [`parse_tokens`] taking the tokens by value (no copy of their text).
pub fn parse_owned(tokens: Vec<(Tok, Span)>, src_len: usize) -> (File, Vec<SyntaxError>) {
    let toks: Vec<(Tok, SimpleSpan)> =
        tokens.into_iter().map(|(t, s)| (t, SimpleSpan::from(s.start as usize..s.end as usize))).collect();
    let eoi = SimpleSpan::from(src_len..src_len);
    let input = toks.as_slice().map(eoi, |(t, s)| (t, s));
    let (out, errs) = file_parser::<_, EmptyErr>().parse(input).into_output_errors();
    if errs.is_empty() {
        if let Some(file) = out {
            return (file, vec![]);
        }
    }
    rich(&toks, eoi)
}

/// [`parse_tokens`] with `Rich` errors from the start (no fast pass): what the fast pass must
/// agree with. Public for the fuzz test that checks they do.
pub fn parse_tokens_rich(tokens: &[(Tok, Span)], src_len: usize) -> (File, Vec<SyntaxError>) {
    let toks: Vec<(Tok, SimpleSpan)> =
        tokens.iter().map(|(t, s)| (t.clone(), SimpleSpan::from(s.start as usize..s.end as usize))).collect();
    rich(&toks, SimpleSpan::from(src_len..src_len))
}

fn rich(toks: &[(Tok, SimpleSpan)], eoi: SimpleSpan) -> (File, Vec<SyntaxError>) {
    let input = toks.map(eoi, |(t, s)| (t, s));
    let (out, errs) = file_parser::<_, Rich<'_, Tok, SimpleSpan>>().parse(input).into_output_errors();
    let errors = errs
        .into_iter()
        .map(|e| {
            let mut expected: Vec<String> = e
                .expected()
                .map(|p| match p {
                    chumsky::error::RichPattern::Token(t) => t.to_string(),
                    chumsky::error::RichPattern::Label(l) => l.to_string(),
                    chumsky::error::RichPattern::EndOfInput => "end of input".to_string(),
                    other => other.to_string(),
                })
                .collect();
            expected.sort();
            expected.dedup();
            let found = e.found().map(|t| t.to_string());
            let message = match e.reason() {
                chumsky::error::RichReason::Custom(m) => m.to_string(),
                _ => match &found {
                    Some(f) => format!("unexpected {f}"),
                    None => "unexpected end of input".to_string(),
                },
            };
            SyntaxError { span: sp(*e.span()), message, expected, found }
        })
        .collect();
    (out.unwrap_or_default(), errors)
}

fn punct<'t, I, X: SynErr<'t, I>>(p: &'static str) -> impl Parser<'t, I, (), Err<X>> + Clone
where
    I: ValueInput<'t, Token = Tok, Span = SimpleSpan> + BorrowInput<'t>,
{
    just(Tok::Punct(p)).ignored()
}

fn kw<'t, I, X: SynErr<'t, I>>(w: &'static str) -> impl Parser<'t, I, (), Err<X>> + Clone
where
    I: ValueInput<'t, Token = Tok, Span = SimpleSpan> + BorrowInput<'t>,
{
    select_ref! { Tok::Ident(s) if s == w => () }.labelled(w)
}

fn ident<'t, I, X: SynErr<'t, I>>() -> impl Parser<'t, I, Ident, Err<X>> + Clone
where
    I: ValueInput<'t, Token = Tok, Span = SimpleSpan> + BorrowInput<'t>,
{
    select_ref! { Tok::Ident(s) = e => Ident { name: s.clone(), span: sp(e.span()) } }.labelled("name")
}

fn file_parser<'t, I, X: SynErr<'t, I>>() -> impl Parser<'t, I, File, Err<X>>
where
    I: ValueInput<'t, Token = Tok, Span = SimpleSpan> + BorrowInput<'t>,
{
    // Both recursive parsers are built with `recursive`, whose self-references are weak
    // (`Rc::new_cyclic`): a clone of a `Recursive::declare` parser inside its own definition
    // is a strong `Rc` cycle, and chumsky 0.13 then leaks the whole combinator tree (~10 KB)
    // each time this function runs — once per parse, so a language server grew with every
    // edit (issue #14). `entries` holds `expr`; `expr` refers back to `entries` weakly.
    let entries = recursive(|entries| {
        // what the entries below share with the expressions, built inside `expr`'s definition
        let mut shared = None;
        let expr = recursive(|expr| {
            // ---- strings and queries -------------------------------------------------------------
            let str_part = select_ref! { Tok::StrText(t) = e => StrPart::Text(t.clone(), sp(e.span())) }
                .or(expr.clone().delimited_by(just(Tok::InterpStart), just(Tok::InterpEnd)).map(StrPart::Interp))
                .recover_with(via_parser(
                    just(Tok::InterpStart)
                        .ignore_then(any().and_is(just(Tok::InterpEnd).not()).repeated())
                        .then_ignore(just(Tok::InterpEnd))
                        .map_with(|_, e| StrPart::Interp(Expr { kind: ExprKind::Error, span: sp(e.span()) })),
                ));
            let string = just(Tok::StrStart)
                .ignore_then(str_part.clone().repeated().collect::<Vec<_>>())
                .then_ignore(just(Tok::StrEnd))
                .map_with(|parts, e| Expr { kind: ExprKind::Str(parts), span: sp(e.span()) })
                .labelled("string")
                .boxed();
            let query = select_ref! { Tok::QueryStart(l) => l.clone() }
                .then(str_part.repeated().collect::<Vec<_>>())
                .then_ignore(just(Tok::StrEnd))
                .map_with(|(lang, parts), e| Expr { kind: ExprKind::Query { lang, parts }, span: sp(e.span()) })
                .boxed();

            let block_body = entries
                .clone()
                .delimited_by(punct("{"), punct("}"))
                .map_with(|es, e| (es, sp(e.span())))
                .recover_with(via_parser(nested_delimiters(
                    Tok::Punct("{"),
                    Tok::Punct("}"),
                    [(Tok::Punct("("), Tok::Punct(")")), (Tok::Punct("["), Tok::Punct("]"))],
                    |s: SimpleSpan| (vec![Entry::Error(sp(s))], sp(s)),
                )))
                // a body that failed at a position fails there again at once: without this, a broken
                // body inside broken bodies is re-parsed by every alternative that can start with it
                // (a block, then a block expression, at each level), exponential in the nesting
                .memoized()
                .boxed();

            // ---- expressions -----------------------------------------------------------------------
            let doc = select_ref! { Tok::DocComment(d) => d.clone() }
                .repeated()
                .collect::<Vec<_>>()
                .map(|ds: Vec<String>| if ds.is_empty() { None } else { Some(ds.join("\n")) });

            let literal = select_ref! {
                Tok::Number { digits, unit } => ExprKind::Number { digits: digits.clone(), unit: unit.clone() },
                Tok::Address(a) => ExprKind::Address(a.clone()),
                Tok::Ident(s) if s == "true" => ExprKind::Bool(true),
                Tok::Ident(s) if s == "false" => ExprKind::Bool(false),
            }
            .map_with(|k, e| Expr { kind: k, span: sp(e.span()) });

            let block_expr = ident()
                .then(string.clone())
                .then(block_body.clone())
                .map_with(|((kind, label), (body, bspan)), e| Expr {
                    kind: ExprKind::Block(Box::new(Block {
                        doc: None,
                        kind,
                        label: Some(Label::Str(label)),
                        body: BlockBody::Entries(body, bspan),
                        span: sp(e.span()),
                    })),
                    span: sp(e.span()),
                });

            let list_item = expr.clone().then(punct(":").ignore_then(expr.clone()).or_not());
            let list = list_item
                .separated_by(punct(","))
                .allow_trailing()
                .collect::<Vec<_>>()
                .delimited_by(punct("["), punct("]"))
                .validate(|items: Vec<(Expr, Option<Expr>)>, e, emitter| {
                    let pairs = items.iter().filter(|(_, v)| v.is_some()).count();
                    let kind = if pairs == 0 {
                        ExprKind::List(items.into_iter().map(|(k, _)| k).collect())
                    } else {
                        if pairs != items.len() {
                            emitter.emit(X::custom(e.span(), "a list literal mixes `key: value` pairs and plain values"));
                        }
                        ExprKind::Map(
                            items
                                .into_iter()
                                .map(|(k, v)| {
                                    let v = v.unwrap_or(Expr { kind: ExprKind::Error, span: k.span });
                                    (k, v)
                                })
                                .collect(),
                        )
                    };
                    Expr { kind, span: sp(e.span()) }
                })
                .recover_with(via_parser(nested_delimiters(
                    Tok::Punct("["),
                    Tok::Punct("]"),
                    [(Tok::Punct("("), Tok::Punct(")")), (Tok::Punct("{"), Tok::Punct("}"))],
                    |s: SimpleSpan| Expr { kind: ExprKind::Error, span: sp(s) },
                )));

            let record = entries
                .clone()
                .delimited_by(punct("{"), punct("}"))
                .map_with(|es, e| Expr { kind: ExprKind::Record(es), span: sp(e.span()) })
                .memoized();

            let paren = expr.clone().delimited_by(punct("("), punct(")")).recover_with(via_parser(nested_delimiters(
                Tok::Punct("("),
                Tok::Punct(")"),
                [(Tok::Punct("["), Tok::Punct("]")), (Tok::Punct("{"), Tok::Punct("}"))],
                |s: SimpleSpan| Expr { kind: ExprKind::Error, span: sp(s) },
            )));

            let if_expr = kw("if")
                .ignore_then(expr.clone())
                .then_ignore(kw("then"))
                .then(expr.clone())
                .then_ignore(kw("else"))
                .then(expr.clone())
                .map_with(|((c, a), b), e| Expr {
                    kind: ExprKind::If(Box::new(c), Box::new(a), Box::new(b)),
                    span: sp(e.span()),
                });

            let name = ident().map(|i| Expr { kind: ExprKind::Name(i.name), span: i.span });

            let atom = choice((literal, string.clone(), query, if_expr, block_expr, name, list, record, paren))
                .labelled("expression")
                .boxed();

            enum Post {
                Member(Ident),
                Call(Vec<Expr>),
            }
            let args = expr
                .clone()
                .separated_by(punct(","))
                .allow_trailing()
                .collect::<Vec<_>>()
                .delimited_by(punct("("), punct(")"))
                .map(Post::Call);
            let member = punct(".").ignore_then(ident()).map(Post::Member);
            let postfix = atom.foldl_with(member.or(args).repeated(), |lhs, post, e| {
                let span = sp(e.span());
                match post {
                    Post::Member(i) => Expr { kind: ExprKind::Member(Box::new(lhs), i), span },
                    Post::Call(a) => Expr { kind: ExprKind::Call(Box::new(lhs), a), span },
                }
            });

            let unary = choice((punct("-").to(UnOp::Neg), punct("!").to(UnOp::Not)))
                .map_with(|op, e| (op, e.span()))
                .repeated()
                .foldr_with(postfix, |(op, _), rhs, e| Expr { kind: ExprKind::Unary(op, Box::new(rhs)), span: sp(e.span()) })
                .boxed();

            fn level<'t, I, X, P, O>(lower: P, ops: O) -> impl Parser<'t, I, Expr, Err<X>> + Clone
            where
                I: ValueInput<'t, Token = Tok, Span = SimpleSpan> + BorrowInput<'t>,
                X: SynErr<'t, I>,
                P: Parser<'t, I, Expr, Err<X>> + Clone,
                O: Parser<'t, I, BinOp, Err<X>> + Clone,
            {
                lower.clone().foldl_with(ops.then(lower).repeated(), |a, (op, b), e| Expr {
                    kind: ExprKind::Binary(op, Box::new(a), Box::new(b)),
                    span: sp(e.span()),
                })
            }
            let product = level(unary, choice((punct("*").to(BinOp::Mul), punct("/").to(BinOp::Div)))).boxed();
            let sum = level(product, choice((punct("+").to(BinOp::Add), punct("-").to(BinOp::Sub)))).boxed();
            let cmp = level(
                sum,
                choice((
                    punct("==").to(BinOp::Eq),
                    punct("!=").to(BinOp::Ne),
                    punct("<=").to(BinOp::Le),
                    punct(">=").to(BinOp::Ge),
                    punct("<").to(BinOp::Lt),
                    punct(">").to(BinOp::Gt),
                )),
            )
            .boxed();
            let and = level(cmp, punct("&&").to(BinOp::And)).boxed();
            let or = level(and, punct("||").to(BinOp::Or)).boxed();
            shared = Some((string.clone(), block_body.clone(), doc.clone()));
            or
        });
        let (string, block_body, doc) = shared.expect("set while `expr` was defined");

        // ---- entries ---------------------------------------------------------------------------
        let import = kw("import")
            .ignore_then(
                kw("std")
                    .ignore_then(punct(".").ignore_then(ident()).repeated().at_least(1).collect::<Vec<_>>())
                    .map(ImportPath::Std)
                    .or(select_ref! { Tok::StrStart => () }
                        .ignore_then(select_ref! { Tok::StrText(t) = e => (t.clone(), sp(e.span())) })
                        .then_ignore(just(Tok::StrEnd))
                        .map(|(t, s)| ImportPath::File(t, s))),
            )
            .then(kw("as").ignore_then(ident()).or_not())
            .map_with(|(path, alias), e| Entry::Import(Import { path, alias, span: sp(e.span()) }));

        let let_ = doc
            .clone()
            .then_ignore(kw("let"))
            .then(ident())
            .then_ignore(punct("="))
            .then(expr.clone())
            .map_with(|((doc, name), value), e| Entry::Let(Let { doc, name, value, span: sp(e.span()) }));

        let ty = recursive(|ty| {
            ident()
                .then(ty.separated_by(punct(",")).collect::<Vec<_>>().delimited_by(punct("["), punct("]")).or_not())
                .map_with(|(name, args), e| TypeExpr { name, args: args.unwrap_or_default(), span: sp(e.span()) })
        });
        let param = ident().then(punct(":").ignore_then(ty).or_not()).map(|(name, ty)| Param { name, ty });
        let fn_ = doc
            .clone()
            .then_ignore(kw("fn"))
            .then(ident())
            .then(param.separated_by(punct(",")).allow_trailing().collect::<Vec<_>>().delimited_by(punct("("), punct(")")))
            .then_ignore(punct("="))
            .then(expr.clone())
            .map_with(|(((doc, name), params), body), e| Entry::Fn(FnDecl { doc, name, params, body, span: sp(e.span()) }));

        let for_ = kw("for")
            .ignore_then(ident())
            .then_ignore(kw("in"))
            .then(expr.clone())
            .then(block_body.clone())
            .map_with(|((var, iter), (body, _)), e| Entry::For(For { var, iter, body, span: sp(e.span()) }));

        let if_ = recursive(|if_| {
            kw("if")
                .ignore_then(expr.clone())
                .then(block_body.clone())
                .then(kw("else").ignore_then(block_body.clone().map(|(b, _)| b).or(if_.map(|i| vec![i]))).or_not())
                .map_with(|((cond, (then, _)), otherwise), e| {
                    Entry::If(If { cond, then, otherwise: otherwise.unwrap_or_default(), span: sp(e.span()) })
                })
        });

        let field = ident()
            .separated_by(punct("."))
            .at_least(1)
            .collect::<Vec<_>>()
            .then_ignore(punct("="))
            .then(expr.clone())
            .map_with(|(path, value), e| Entry::Field(Field { path, value, span: sp(e.span()) }));

        let label = ident().map(Label::Ident).or(string.clone().map(Label::Str));
        let block = doc
            .clone()
            .then(ident())
            .then(label.clone().or_not())
            .then(block_body.clone().map(|(b, s)| BlockBody::Entries(b, s)))
            .or(doc.clone().then(ident()).then(label.map(Some)).then(punct("=").ignore_then(expr.clone()).map(BlockBody::Expr)))
            .map_with(|(((doc, kind), label), body), e| Entry::Block(Block { doc, kind, label, body, span: sp(e.span()) }));

        let expr_entry = expr.clone().map(Entry::Expr);

        let entry = choice((import, let_, fn_, for_, if_, field, block, expr_entry)).boxed();

        // skip one token, or a whole bracketed group, before retrying an entry
        let skip_group = choice((
            nested_delimiters(Tok::Punct("{"), Tok::Punct("}"), [(Tok::Punct("("), Tok::Punct(")")), (Tok::Punct("["), Tok::Punct("]"))], |_| ()),
            nested_delimiters(Tok::Punct("("), Tok::Punct(")"), [(Tok::Punct("["), Tok::Punct("]")), (Tok::Punct("{"), Tok::Punct("}"))], |_| ()),
            any().and_is(just(Tok::Punct("}")).not()).ignored(),
        ));
        // doc comments with nothing after them (end of a block or file) document nothing: they
        // are skipped below, not parsed as the start of an entry
        let trailing_docs = select_ref! { Tok::DocComment(_) => () }.repeated().at_least(1).then(punct("}").or(end()));
        let recovered_entry = trailing_docs.not().ignore_then(
            entry
                .recover_with(skip_then_retry_until(skip_group.clone(), punct("}").or(end())))
                .recover_with(via_parser(
                    skip_group
                        .repeated()
                        .at_least(1)
                        .map_with(|_, e| Entry::Error(sp(e.span()))),
                )),
        );


        recovered_entry
            .then_ignore(one_of([Tok::Punct(","), Tok::Punct(";")]).or_not())
            .repeated()
            .collect::<Vec<_>>()
            .then_ignore(select_ref! { Tok::DocComment(_) => () }.repeated())
    });

    // At top level a stray `}` is reported and skipped so the rest of the file still parses.
    let stray = punct("}").validate(|_, e, emitter| {
        emitter.emit(X::custom(e.span(), "unmatched `}`"));
    });
    entries
        .clone()
        .foldl(stray.ignore_then(entries).repeated(), |mut a, b| {
            a.extend(b);
            a
        })
        .then_ignore(end())
        .map(|entries| File { entries })
}
