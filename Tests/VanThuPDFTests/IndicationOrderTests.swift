import Testing
import VanThuPDF

/// A PDF's verdict is its worst signature, ordered as the signing core orders them.
@Suite struct IndicationOrderTests {
    @Test func failedIsWorstAndExitStatusesAreThoseOfVerify() {
        #expect([PDFIndication.indeterminate, .totalFailed, .totalPassed].max() == .totalFailed)
        #expect([PDFIndication.totalPassed, .indeterminate].max() == .indeterminate)
        #expect(PDFIndication.totalPassed.exitStatus == 0)
        #expect(PDFIndication.totalFailed.exitStatus == 1)
        #expect(PDFIndication.indeterminate.exitStatus == 2)
    }
}
