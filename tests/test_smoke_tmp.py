async def test_smoke(harness):
    p = harness.person("ky")
    await p.send("/start")
    print(p.screen())
    await p.click("Кыргызча")
    print(p.screen())
    await p.click("Language")
    print(p.screen())
    await p.send("hello <b>")
    print(p.screen())
    await p.send_media("sticker")
    print(p.screen())
    assert 0
