// AVFoundation capture → core's scanner. The session runs only while the scanner is on
// screen (started when the view appears, stopped when it goes), frames are throttled by the
// view model's ScanGate before any copy, only the viewfinder's square is decoded, the torch
// can be switched, and the preview layer follows the view's bounds (not the screen's).

import AVFoundation
import Foundation
import KhaibaoDemoCore
import SwiftUI
import UIKit

/// The camera permission as the check-in screen needs it.
enum CameraPermission {
    static var granted: Bool? {
        switch AVCaptureDevice.authorizationStatus(for: .video) {
        case .authorized: return true
        case .notDetermined: return nil
        default: return false
        }
    }

    static func request(_ done: @escaping (Bool) -> Void) {
        AVCaptureDevice.requestAccess(for: .video) { granted in DispatchQueue.main.async { done(granted) } }
    }
}

final class FrameScanner: NSObject, AVCaptureVideoDataOutputSampleBufferDelegate {
    let session = AVCaptureSession()
    private let queue = DispatchQueue(label: "vn.khaibao.scan")
    private let gate: ScanGate
    private let decoder = CoreFrameDecoder()
    private var device: AVCaptureDevice?
    var onText: (String) -> Void = { _ in }

    init(gate: ScanGate) {
        self.gate = gate
        super.init()
        guard let camera = AVCaptureDevice.default(.builtInWideAngleCamera, for: .video, position: .back),
              let input = try? AVCaptureDeviceInput(device: camera), session.canAddInput(input) else { return }
        device = camera
        session.addInput(input)
        let output = AVCaptureVideoDataOutput()
        output.videoSettings = [kCVPixelBufferPixelFormatTypeKey as String: kCVPixelFormatType_420YpCbCr8BiPlanarFullRange]
        output.alwaysDiscardsLateVideoFrames = true
        output.setSampleBufferDelegate(self, queue: queue)
        if session.canAddOutput(output) { session.addOutput(output) }
    }

    func start() { queue.async { if !self.session.isRunning { self.session.startRunning() } } }
    func stop() { queue.async { if self.session.isRunning { self.session.stopRunning() } } }

    func setTorch(_ on: Bool) {
        guard let device, device.hasTorch, (try? device.lockForConfiguration()) != nil else { return }
        device.torchMode = on ? .on : .off
        device.unlockForConfiguration()
    }

    func captureOutput(_ output: AVCaptureOutput, didOutput sampleBuffer: CMSampleBuffer, from connection: AVCaptureConnection) {
        guard gate.analyse(Int64(Date().timeIntervalSince1970 * 1000)),
              let pixels = CMSampleBufferGetImageBuffer(sampleBuffer) else { return }
        CVPixelBufferLockBaseAddress(pixels, .readOnly)
        defer { CVPixelBufferUnlockBaseAddress(pixels, .readOnly) }
        guard let base = CVPixelBufferGetBaseAddressOfPlane(pixels, 0) else { return }
        let width = CVPixelBufferGetWidthOfPlane(pixels, 0)
        let height = CVPixelBufferGetHeightOfPlane(pixels, 0)
        guard let plane = LumaPlane(base: base, width: width, height: height,
                                    bytesPerRow: CVPixelBufferGetBytesPerRowOfPlane(pixels, 0)),
              let text = decoder.decode(plane, roi: centreSquare(width: width, height: height)) else { return }
        DispatchQueue.main.async { self.onText(text) }
    }
}

/// A view whose backing layer is the preview layer, so it always fills the view's bounds.
final class PreviewUIView: UIView {
    override class var layerClass: AnyClass { AVCaptureVideoPreviewLayer.self }
    var previewLayer: AVCaptureVideoPreviewLayer { layer as! AVCaptureVideoPreviewLayer }
}

struct ScannerView: UIViewRepresentable {
    let gate: ScanGate
    let torch: Bool
    let onText: (String) -> Void

    func makeCoordinator() -> FrameScanner { FrameScanner(gate: gate) }

    func makeUIView(context: Context) -> PreviewUIView {
        let view = PreviewUIView()
        view.previewLayer.session = context.coordinator.session
        view.previewLayer.videoGravity = .resizeAspectFill
        view.isAccessibilityElement = true
        view.accessibilityLabel = Texts.text("camera_description")
        context.coordinator.onText = onText
        context.coordinator.start()
        return view
    }

    func updateUIView(_ uiView: PreviewUIView, context: Context) {
        context.coordinator.onText = onText
        context.coordinator.setTorch(torch)
    }

    static func dismantleUIView(_ uiView: PreviewUIView, coordinator: FrameScanner) {
        coordinator.setTorch(false)
        coordinator.stop()
    }
}
