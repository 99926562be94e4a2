import Foundation
import VanThuSigning

// vanthu-bench sign KEY CERT CHAIN FILE SECONDS THREADS
// vanthu-bench verify KEY CERT CHAIN FILE TRUSTDIR SECONDS THREADS
// vanthu-bench hash FILE
// Prints one line: operations per second (sign/verify) or MB/s and peak RSS in MiB (hash).

func peakRSSMiB() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

func threadCPUSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

/// Runs `work` on `threads` threads for `seconds` and returns operations per second, divided as
/// `openssl speed` divides: by CPU time for one thread (its default is user time; ours is user
/// plus system time, so opening and reading the file count), which keeps the ratio meaningful
/// when other processes share the machine; by wall-clock time for several threads, as
/// `openssl speed -multi` does (its children measure elapsed time and the parent sums them).
func throughput(seconds: Double, threads: Int, _ work: @escaping @Sendable () throws -> Void) -> Double {
    let rates = UnsafeMutableBufferPointer<Double>.allocate(capacity: threads)
    rates.initialize(repeating: 0)
    defer { rates.deallocate() }
    let wallStart = Date()
    let deadline = wallStart.addingTimeInterval(seconds)
    let group = DispatchGroup()
    nonisolated(unsafe) let shared = rates
    for index in 0..<threads {
        group.enter()
        Thread {
            var done = 0
            let start = threadCPUSeconds()
            // VANTHU_BENCH_OPERATIONS=N runs exactly N operations per thread instead, for
            // instruction counts (callgrind over N and 2N operations; the difference is N).
            let fixed = getenv("VANTHU_BENCH_OPERATIONS").map { Int(atoi($0)) }
            while fixed.map({ done < $0 }) ?? (Date() < deadline) {
                do { try work() } catch { fatalError("\(error)") }
                done += 1
            }
            let cpu = threadCPUSeconds() - start
            shared[index] = threads == 1 ? Double(done) / cpu : Double(done)
            group.leave()
        }.start()
    }
    group.wait()
    let total = rates.reduce(0, +)
    return threads == 1 ? total : total / Date().timeIntervalSince(wallStart)
}

let arguments = CommandLine.arguments
switch arguments.dropFirst().first {
case "sign":
    let identity = try SigningIdentity(keyFile: arguments[2], certificateFile: arguments[3], chainFile: arguments[4])
    let signer = CAdESSigner(identity: identity)
    let file = arguments[5]
    let rate = throughput(seconds: Double(arguments[6])!, threads: Int(arguments[7])!) {
        _ = try signer.signSynchronously(fileAt: file)
    }
    print(String(format: "%.1f", rate))
case "verify":
    let identity = try SigningIdentity(keyFile: arguments[2], certificateFile: arguments[3], chainFile: arguments[4])
    let file = arguments[5]
    let signature = try CAdESSigner(identity: identity).signSynchronously(fileAt: file)
    let validator = SignatureValidator(trustStore: try TrustStore.load(trustPath: arguments[6]))
    let first = try validator.validateSynchronously(signature: signature, contentAt: file)
    guard first.indication == .totalPassed else { fatalError("benchmark signature does not pass:\n\(first.text)") }
    let rate = throughput(seconds: Double(arguments[7])!, threads: Int(arguments[8])!) {
        let report = try validator.validateSynchronously(signature: signature, contentAt: file)
        precondition(report.indication == .totalPassed)
    }
    print(String(format: "%.1f", rate))
case "hash":
    let file = arguments[2]
    let size = Double((try FileManager.default.attributesOfItem(atPath: file)[.size] as? NSNumber)?.int64Value ?? 0)
    let start = Date()
    let digest = try StreamingDigest.hash(fileAt: file)
    let elapsed = Date().timeIntervalSince(start)
    print(String(format: "%.1f MB/s %.1f MiB %@", size / elapsed / 1e6, peakRSSMiB(), digest.hexString))
default:
    FileHandle.standardError.write(Data("usage: vanthu-bench sign|verify|hash …\n".utf8))
    exit(3)
}
