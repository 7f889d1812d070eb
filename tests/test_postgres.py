"""The PostgreSQL run really runs on PostgreSQL."""

from sqlalchemy import text


def test_suite_runs_on_postgresql_when_a_url_is_given(postgres_url, app):
    engine = app.extensions["kb.engine"]
    assert engine.dialect.name == "postgresql"
    with engine.connect() as connection:
        assert "PostgreSQL" in connection.execute(text("select version()")).scalar_one()


def test_advice_ids_come_from_a_sequence_and_are_not_reused(postgres_url, make_advice, app):
    first = make_advice()
    engine = app.extensions["kb.engine"]
    with engine.begin() as connection:
        connection.execute(text("delete from revision where advice_id = :id"), {"id": first.id})
        connection.execute(text("delete from advice_theme where advice_id = :id"),
                           {"id": first.id})
        connection.execute(text("delete from advice where id = :id"), {"id": first.id})
    second = make_advice()
    assert second.id > first.id
