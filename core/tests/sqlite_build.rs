//! The bundled SQLite is built without run-time extension loading (see `.cargo/config.toml`):
//! no SQL text, even one smuggled into the diary, can load native code into the app.

use rusqlite::Connection;

#[test]
fn sql_cannot_load_extensions() {
    let conn = Connection::open_in_memory().unwrap();
    let err = conn
        .query_row("SELECT load_extension('libc.so.6')", [], |r| {
            r.get::<_, Option<String>>(0)
        })
        .unwrap_err();
    assert!(
        err.to_string().contains("no such function"),
        "load_extension exists: {err}"
    );
}

#[test]
fn full_text_search_is_not_built_in() {
    let conn = Connection::open_in_memory().unwrap();
    let err = conn
        .execute_batch("CREATE VIRTUAL TABLE t USING fts5(x)")
        .unwrap_err();
    assert!(err.to_string().contains("no such module"), "{err}");
}

#[test]
fn json_and_date_functions_are_not_built_in_and_double_quotes_name_columns_only() {
    let conn = Connection::open_in_memory().unwrap();
    for sql in [
        "SELECT json('{}')",
        "SELECT date('now')",
        "SELECT strftime('%s')",
    ] {
        let err = conn
            .query_row(sql, [], |r| r.get::<_, Option<String>>(0))
            .unwrap_err();
        assert!(err.to_string().contains("no such function"), "{sql}: {err}");
    }
    // SQLITE_DQS=0: a double-quoted word is an identifier, never a string literal.
    conn.execute_batch("CREATE TABLE t (a TEXT)").unwrap();
    let err = conn
        .execute("INSERT INTO t VALUES (\"oops\")", [])
        .unwrap_err();
    assert!(err.to_string().contains("no such column"), "{err}");
}
