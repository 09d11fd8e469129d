fn main() {
    let p = std::env::args().nth(1).unwrap();
    let src = std::fs::read_to_string(&p).unwrap();
    let parsed = gstack::syntax::parse(&src);
    for d in &parsed.diags { println!("{:?} {} {:?} {:?}", d.span, d.code, d.message, d.hint); }
    println!("{} entries", parsed.file.entries.len());
    for e in &parsed.file.entries { match e { gstack::syntax::ast::Entry::Block(b) => println!("block {} {:?}", b.kind.name, b.label.as_ref().map(|l| l.span())), other => println!("{:?}", std::mem::discriminant(other)) } }
}
