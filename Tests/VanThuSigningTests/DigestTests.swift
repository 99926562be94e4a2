import Testing
@testable import VanThuSigning

@Suite struct DigestTests {
    @Test func sha256OfKnownInput() {
        #expect(StreamingDigest.hash(Array("abc".utf8)).hexString
            == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func incrementalEqualsOneShot() {
        var d = StreamingDigest(.sha256)
        d.update(Array("a".utf8)); d.update(Array("bc".utf8))
        #expect(d.finalize() == StreamingDigest.hash(Array("abc".utf8)))
    }
}
