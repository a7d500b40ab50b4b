// Mirrors: iOS 18 SDK, AVFoundation with the CoreMedia and CoreVideo calls it re-exports
// (only what App/ uses).
import Dispatch
import Foundation
@_exported import QuartzCore

public struct AVMediaType: Hashable { public static let video = AVMediaType() }
public enum AVAuthorizationStatus { case notDetermined, restricted, denied, authorized }
public struct AVLayerVideoGravity: Hashable { public static let resizeAspectFill = AVLayerVideoGravity() }

open class AVCaptureDevice: NSObject {
    public struct DeviceType: Hashable { public static let builtInWideAngleCamera = DeviceType() }
    public enum Position { case unspecified, back, front }
    public enum TorchMode { case off, on, auto }
    open class func `default`(_ deviceType: DeviceType, for mediaType: AVMediaType?, position: Position) -> AVCaptureDevice? { fatalError("stub") }
    open class func authorizationStatus(for mediaType: AVMediaType) -> AVAuthorizationStatus { fatalError("stub") }
    open class func requestAccess(for mediaType: AVMediaType, completionHandler handler: @escaping (Bool) -> Void) { fatalError("stub") }
    open var hasTorch: Bool { fatalError("stub") }
    open var torchMode: TorchMode {
        get { fatalError("stub") }
        set { fatalError("stub") }
    }
    open func lockForConfiguration() throws { fatalError("stub") }
    open func unlockForConfiguration() { fatalError("stub") }
}

open class AVCaptureInput: NSObject {}
open class AVCaptureDeviceInput: AVCaptureInput {
    public init(device: AVCaptureDevice) throws { fatalError("stub") }
}
open class AVCaptureOutput: NSObject {}
open class AVCaptureConnection: NSObject {}

open class AVCaptureSession: NSObject {
    override public init() { fatalError("stub") }
    open var isRunning: Bool { fatalError("stub") }
    open func canAddInput(_ input: AVCaptureInput) -> Bool { fatalError("stub") }
    open func addInput(_ input: AVCaptureInput) { fatalError("stub") }
    open func canAddOutput(_ output: AVCaptureOutput) -> Bool { fatalError("stub") }
    open func addOutput(_ output: AVCaptureOutput) { fatalError("stub") }
    open func startRunning() { fatalError("stub") }
    open func stopRunning() { fatalError("stub") }
}

public final class CMSampleBuffer {}
public final class CVBuffer {}
public typealias CVPixelBuffer = CVBuffer
public typealias CVImageBuffer = CVBuffer
public struct CVPixelBufferLockFlags: OptionSet {
    public let rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public static let readOnly = CVPixelBufferLockFlags(rawValue: 1)
}
public typealias CVReturn = Int32
public let kCVPixelBufferPixelFormatTypeKey: String = "PixelFormatType"
public let kCVPixelFormatType_420YpCbCr8BiPlanarFullRange: UInt32 = 0x3432_3066
public func CMSampleBufferGetImageBuffer(_ sbuf: CMSampleBuffer) -> CVImageBuffer? { fatalError("stub") }
@discardableResult public func CVPixelBufferLockBaseAddress(_ pixelBuffer: CVPixelBuffer, _ lockFlags: CVPixelBufferLockFlags) -> CVReturn { fatalError("stub") }
@discardableResult public func CVPixelBufferUnlockBaseAddress(_ pixelBuffer: CVPixelBuffer, _ unlockFlags: CVPixelBufferLockFlags) -> CVReturn { fatalError("stub") }
public func CVPixelBufferGetBaseAddressOfPlane(_ pixelBuffer: CVPixelBuffer, _ planeIndex: Int) -> UnsafeMutableRawPointer? { fatalError("stub") }
public func CVPixelBufferGetWidthOfPlane(_ pixelBuffer: CVPixelBuffer, _ planeIndex: Int) -> Int { fatalError("stub") }
public func CVPixelBufferGetHeightOfPlane(_ pixelBuffer: CVPixelBuffer, _ planeIndex: Int) -> Int { fatalError("stub") }
public func CVPixelBufferGetBytesPerRowOfPlane(_ pixelBuffer: CVPixelBuffer, _ planeIndex: Int) -> Int { fatalError("stub") }

public protocol AVCaptureVideoDataOutputSampleBufferDelegate: NSObjectProtocol {
    func captureOutput(_ output: AVCaptureOutput, didOutput sampleBuffer: CMSampleBuffer, from connection: AVCaptureConnection)
}

open class AVCaptureVideoDataOutput: AVCaptureOutput {
    override public init() { fatalError("stub") }
    open var videoSettings: [String: Any]! {
        get { fatalError("stub") }
        set { fatalError("stub") }
    }
    open var alwaysDiscardsLateVideoFrames: Bool {
        get { fatalError("stub") }
        set { fatalError("stub") }
    }
    open func setSampleBufferDelegate(_ sampleBufferDelegate: AVCaptureVideoDataOutputSampleBufferDelegate?, queue sampleBufferCallbackQueue: DispatchQueue?) { fatalError("stub") }
}

open class AVCaptureVideoPreviewLayer: CALayer {
    open var session: AVCaptureSession? {
        get { fatalError("stub") }
        set { fatalError("stub") }
    }
    open var videoGravity: AVLayerVideoGravity {
        get { fatalError("stub") }
        set { fatalError("stub") }
    }
}
