// The personal pass: the person fills in the declaration, the device registers once, and
// the screen shows the pass as a QR code (Core Image) with its countdown, renewing it before
// it expires.

import CoreImage
import Foundation
import KhaibaoDemoCore
import SwiftUI
import UIKit

func qrImage(_ text: String) -> UIImage? {
    guard let filter = CIFilter(name: "CIQRCodeGenerator") else { return nil }
    filter.setValue(Data(text.utf8), forKey: "inputMessage")
    filter.setValue("M", forKey: "inputCorrectionLevel")
    guard let output = filter.outputImage?.transformed(by: CGAffineTransform(scaleX: 10, y: 10)),
          let cg = CIContext().createCGImage(output, from: output.extent) else { return nil }
    return UIImage(cgImage: cg)
}

struct PassView: View {
    @State private var vm: PassViewModel
    @State private var form = DeclarationFormViewModel(validator: CoreValidator(), language: Texts.language, units: AppUnits.shared)
    @State private var tick = 0
    @State private var showName = false
    private let timer = Timer.publish(every: 1, on: .main, in: .common).autoconnect()

    init(service: PassService, settings: Settings) { _vm = State(initialValue: PassViewModel(service: service, settings: settings)) }

    private func show() {
        guard let input = form.submit() else { tick += 1; return }
        Task { @MainActor in await vm.show(input, showName: showName); tick += 1 }
    }

    var body: some View {
        let _ = tick
        switch vm.state {
        case .needsDeclaration:
            VStack {
                Toggle(Texts.text("show_name_on_pass"), isOn: $showName).padding()
                DeclarationView(vm: form, onCancel: {}, onSubmit: show)
            }
        case .registering:
            Text(Texts.text(Message(.pass_registering))).padding()
        case .failed(let error):
            VStack {
                Text(Texts.text(error)).foregroundColor(.red)
                Button(Texts.text("try_again"), action: show)
            }.padding()
        case .showing(let text, _):
            VStack(spacing: 16) {
                if let image = qrImage(text) {
                    Image(uiImage: image).interpolation(.none).resizable().scaledToFit()
                        .accessibilityLabel(Texts.text("pass_qr_description"))
                }
                Text(Texts.text(vm.countdown())).font(.title2)
            }
            .padding()
            .onReceive(timer) { _ in Task { @MainActor in await vm.tick(); tick += 1 } }
        }
    }
}
