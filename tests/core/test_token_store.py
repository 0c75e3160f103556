import threading

from ledgerflow_xero import TokenStore


def test_save_replaces_the_token_set_and_records_each_save():
    store = TokenStore({"access_token": "first-secret"})
    store.save({"access_token": "second-secret"})
    assert store.get() == {"access_token": "second-secret"}
    assert store.saved == [{"access_token": "second-secret"}]


def test_the_store_keeps_its_own_copies():
    original = {"access_token": "a"}
    store = TokenStore(original)
    original["access_token"] = "changed outside"
    assert store.get()["access_token"] == "a"


def test_repr_names_no_token():
    store = TokenStore({"access_token": "at-secret", "refresh_token": "rt-secret"})
    assert "secret" not in repr(store) and "saves=0" in repr(store)


def test_concurrent_saves_are_all_recorded():
    store = TokenStore({})
    threads = [threading.Thread(target=lambda i=i: store.save({"n": i})) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(token["n"] for token in store.saved) == list(range(20))
    assert store.get() in store.saved
