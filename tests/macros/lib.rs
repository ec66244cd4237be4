//! `#[engines]` for the API suite (`tests/api`): an `async fn` written once
//! becomes two tests, `NAME::sqlite` and `NAME::postgres`, each running the
//! same body with its engine chosen at run time
//! (`crate::support::engine::Engine::run`). So a test added to any module
//! of `tests/api` runs on both engines; there is no second list to keep.
//!
//! No `syn`: the item is passed through as written and only its name is read.

use proc_macro::{TokenStream, TokenTree};

/// Runs the `async fn` below on SQLite and on PostgreSQL, as two tests.
#[proc_macro_attribute]
pub fn engines(attr: TokenStream, item: TokenStream) -> TokenStream {
    if !attr.is_empty() {
        return error("#[engines] takes no arguments");
    }
    let mut tokens = item.clone().into_iter();
    let name = loop {
        match tokens.next() {
            Some(TokenTree::Ident(i)) if i.to_string() == "fn" => match tokens.next() {
                Some(TokenTree::Ident(name)) => break name.to_string(),
                _ => return error("#[engines]: a function's name after `fn`"),
            },
            Some(_) => continue,
            None => return error("#[engines] goes on an `async fn`"),
        }
    };
    let tests: TokenStream = format!(
        "mod {name} {{\n\
             #[tokio::test]\n\
             async fn sqlite() {{\n\
                 crate::support::engine::Engine::Sqlite.run(super::{name}).await\n\
             }}\n\
             #[tokio::test]\n\
             async fn postgres() {{\n\
                 crate::support::engine::Engine::Postgres.run(super::{name}).await\n\
             }}\n\
         }}"
    )
    .parse()
    .expect("the generated tests parse");
    let mut out = item;
    out.extend(tests);
    out
}

fn error(message: &str) -> TokenStream {
    format!("compile_error!({message:?});").parse().unwrap()
}
