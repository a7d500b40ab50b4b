// AVFoundation capture → core's scanner: each 420YpCbCr8BiPlanar frame's luma plane (plane
// 0, with bytesPerRow) goes to scanFrame through the LumaPlane mapper.

import AVFoundation
import Khaibao
import KhaibaoDemoCore
import SwiftUI

final class FrameScanner: NSObject, AVCaptureVideoDataOutputSampleBufferDelegate {
    let session = AVCaptureSession()
    private let queue = DispatchQueue(label: "vn.khaibao.scan")
    private let onText: (String) -> Void

    init(onText: @escaping (String) -> Void) {
        self.onText = onText
        super.init()
        guard let camera = AVCaptureDevice.default(.builtInWideAngleCamera, for: .video, position: .back),
              let input = try? AVCaptureDeviceInput(device: camera) else { return }
        session.addInput(input)
        let output = AVCaptureVideoDataOutput()
        output.videoSettings = [kCVPixelBufferPixelFormatTypeKey as String: kCVPixelFormatType_420YpCbCr8BiPlanarFullRange]
        output.alwaysDiscardsLateVideoFrames = true
        output.setSampleBufferDelegate(self, queue: queue)
        session.addOutput(output)
    }

    func captureOutput(_ output: AVCaptureOutput, didOutput sampleBuffer: CMSampleBuffer, from connection: AVCaptureConnection) {
        guard let pixels = CMSampleBufferGetImageBuffer(sampleBuffer) else { return }
        CVPixelBufferLockBaseAddress(pixels, .readOnly)
        defer { CVPixelBufferUnlockBaseAddress(pixels, .readOnly) }
        guard let base = CVPixelBufferGetBaseAddressOfPlane(pixels, 0) else { return }
        let width = CVPixelBufferGetWidthOfPlane(pixels, 0)
        let height = CVPixelBufferGetHeightOfPlane(pixels, 0)
        let plane = LumaPlane(base: base, width: width, height: height,
                              bytesPerRow: CVPixelBufferGetBytesPerRowOfPlane(pixels, 0))
        if let text = plane?.firstText(roi: centreSquare(width: width, height: height)) {
            DispatchQueue.main.async { self.onText(text) }
        }
    }
}

struct ScannerView: UIViewRepresentable {
    let onText: (String) -> Void

    func makeCoordinator() -> FrameScanner { FrameScanner(onText: onText) }

    func makeUIView(context: Context) -> UIView {
        let view = UIView()
        let layer = AVCaptureVideoPreviewLayer(session: context.coordinator.session)
        layer.videoGravity = .resizeAspectFill
        layer.frame = UIScreen.main.bounds
        view.layer.addSublayer(layer)
        let session = context.coordinator.session
        DispatchQueue.global(qos: .userInitiated).async { session.startRunning() }
        return view
    }

    func updateUIView(_ uiView: UIView, context: Context) {}
}
