from plugin.org.queries import get_company


def test_company_fixture_creates_company_and_root(company):
    assert company.parent_id is None
    assert company.path == f"/{company.id}/"
    assert get_company().name == "测试建工集团"


def test_rows_do_not_leak_between_tests(app_context):
    assert get_company() is None
