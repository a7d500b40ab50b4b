// Mirrors: iOS 18 SDK, SwiftUI (only the views, modifiers and property wrappers App/ uses;
// bodies are `fatalError`). The result builder, `some View` and the property wrappers are
// declared as in SwiftUI, so App/'s view code is type-checked as Xcode would.
@_exported import Combine
import Foundation
import UIKit

public protocol View {
    associatedtype Body: View
    @ViewBuilder @MainActor var body: Body { get }
}

extension Never: View {
    public var body: Never { fatalError("stub") }
}

/// A view that is drawn by SwiftUI itself (no body of its own).
public protocol PrimitiveView: View where Body == Never {}
extension PrimitiveView {
    public var body: Never { fatalError("stub") }
}

public struct TupleView<T>: PrimitiveView { public init(_ value: T) {} }
public struct EmptyView: PrimitiveView { public init() {} }
public struct ConditionalContent<A: View, B: View>: PrimitiveView {}
public struct OptionalContent<A: View>: PrimitiveView {}
public struct ModifiedContent<Content: View>: PrimitiveView {}
public struct AnyView: PrimitiveView {}

@resultBuilder
public enum ViewBuilder {
    public static func buildBlock() -> EmptyView { EmptyView() }
    public static func buildBlock<Content: View>(_ content: Content) -> Content { content }
    public static func buildBlock<each Content: View>(_ content: repeat each Content) -> TupleView<(repeat each Content)> {
        TupleView((repeat each content))
    }
    public static func buildExpression<Content: View>(_ content: Content) -> Content { content }
    public static func buildIf<Content: View>(_ content: Content?) -> OptionalContent<Content> { fatalError("stub") }
    public static func buildEither<A: View, B: View>(first: A) -> ConditionalContent<A, B> { fatalError("stub") }
    public static func buildEither<A: View, B: View>(second: B) -> ConditionalContent<A, B> { fatalError("stub") }
    public static func buildLimitedAvailability<Content: View>(_ content: Content) -> AnyView { fatalError("stub") }
}

// MARK: State and data flow

@propertyWrapper
public struct State<Value>: DynamicProperty {
    public init(wrappedValue value: Value) {}
    public init(initialValue value: Value) {}
    public var wrappedValue: Value {
        get { fatalError("stub") }
        nonmutating set { fatalError("stub") }
    }
    public var projectedValue: Binding<Value> { fatalError("stub") }
}

@propertyWrapper @dynamicMemberLookup
public struct Binding<Value> {
    public init(get: @escaping () -> Value, set: @escaping (Value) -> Void) {}
    public var wrappedValue: Value {
        get { fatalError("stub") }
        nonmutating set { fatalError("stub") }
    }
    public var projectedValue: Binding<Value> { self }
    public subscript<Subject>(dynamicMember keyPath: WritableKeyPath<Value, Subject>) -> Binding<Subject> { fatalError("stub") }
}

@propertyWrapper
public struct StateObject<ObjectType: ObservableObject>: DynamicProperty {
    public init(wrappedValue thunk: @autoclosure @escaping () -> ObjectType) {}
    public var wrappedValue: ObjectType { fatalError("stub") }
}

@propertyWrapper
public struct EnvironmentObject<ObjectType: ObservableObject>: DynamicProperty {
    public init() {}
    public var wrappedValue: ObjectType { fatalError("stub") }
}

@propertyWrapper
public struct UIApplicationDelegateAdaptor<DelegateType: NSObject & UIApplicationDelegate>: DynamicProperty {
    public init(_ delegateType: DelegateType.Type = DelegateType.self) {}
    public var wrappedValue: DelegateType { fatalError("stub") }
}

public protocol DynamicProperty {}

// MARK: App and scenes

public protocol Scene {
    associatedtype Body: Scene
    @SceneBuilder @MainActor var body: Body { get }
}

extension Never: Scene {}

@resultBuilder
public enum SceneBuilder {
    public static func buildBlock<Content: Scene>(_ content: Content) -> Content { content }
}

public protocol App {
    associatedtype Body: Scene
    @SceneBuilder @MainActor var body: Body { get }
    @MainActor init()
}

extension App {
    @MainActor public static func main() { fatalError("stub") }
}

public struct WindowGroup<Content: View>: Scene {
    public init(@ViewBuilder content: () -> Content) {}
    public var body: Never { fatalError("stub") }
}

// MARK: Views

public struct Text: PrimitiveView {
    public init<S: StringProtocol>(_ content: S) {}
    public func font(_ font: Font?) -> Text { self }
    public func foregroundColor(_ color: Color?) -> Text { self }
}

public struct Font {
    public static let title2 = Font(), headline = Font(), body = Font(), caption = Font()
}

public struct Color {
    public static let red = Color()
}

public struct Image: PrimitiveView {
    public init(uiImage: UIImage) {}
    public enum Interpolation { case none, low, medium, high }
    public func interpolation(_ interpolation: Interpolation) -> Image { self }
    public func resizable() -> Image { self }
}

public struct Label<Title: View, Icon: View>: PrimitiveView {}
extension Label where Title == Text, Icon == Image {
    public init<S: StringProtocol>(_ title: S, systemImage name: String) {}
}

public struct Button<Label: View>: PrimitiveView {}
extension Button where Label == Text {
    public init<S: StringProtocol>(_ title: S, action: @escaping () -> Void) {}
}

public protocol PrimitiveButtonStyle {}
public struct BorderlessButtonStyle: PrimitiveButtonStyle { public init() {} }
extension PrimitiveButtonStyle where Self == BorderlessButtonStyle {
    public static var borderless: BorderlessButtonStyle { BorderlessButtonStyle() }
}

public struct Toggle<Label: View>: PrimitiveView {}
extension Toggle where Label == Text {
    public init<S: StringProtocol>(_ title: S, isOn: Binding<Bool>) {}
}

public struct TextField<Label: View>: PrimitiveView {}
extension TextField where Label == Text {
    public init<S: StringProtocol>(_ title: S, text: Binding<String>) {}
}

public struct Picker<Label: View, SelectionValue: Hashable, Content: View>: PrimitiveView {}
extension Picker where Label == Text {
    public init<S: StringProtocol>(_ title: S, selection: Binding<SelectionValue>, @ViewBuilder content: () -> Content) {}
}

public struct ShareLink<Label: View>: PrimitiveView {}
extension ShareLink where Label == Text {
    public init<S: StringProtocol>(_ title: S, item: String) {}
}

public enum HorizontalAlignment { case leading, center, trailing }

public struct VStack<Content: View>: PrimitiveView {
    public init(alignment: HorizontalAlignment = .center, spacing: CGFloat? = nil, @ViewBuilder content: () -> Content) {}
}

public struct ScrollView<Content: View>: PrimitiveView {
    public init(@ViewBuilder content: () -> Content) {}
}

public struct Form<Content: View>: PrimitiveView {
    public init(@ViewBuilder content: () -> Content) {}
}

public struct Section<Content: View>: PrimitiveView {
    public init<S: StringProtocol>(_ title: S, @ViewBuilder content: () -> Content) {}
}

public struct List<Content: View>: PrimitiveView {
    public init(@ViewBuilder content: () -> Content) {}
    public init<Data: RandomAccessCollection, ID: Hashable, RowContent: View>(
        _ data: Data, id: KeyPath<Data.Element, ID>, @ViewBuilder rowContent: @escaping (Data.Element) -> RowContent
    ) where Content == ForEach<Data, ID, RowContent> {}
}

public struct ForEach<Data: RandomAccessCollection, ID: Hashable, Content: View>: PrimitiveView {
    public init(_ data: Data, id: KeyPath<Data.Element, ID>, @ViewBuilder content: @escaping (Data.Element) -> Content) {}
}

public struct TabView<SelectionValue: Hashable, Content: View>: PrimitiveView {
    public init(selection: Binding<SelectionValue>?, @ViewBuilder content: () -> Content) {}
}

// MARK: UIKit interop

public struct UIViewRepresentableContext<Representable: UIViewRepresentable> {
    public var coordinator: Representable.Coordinator { fatalError("stub") }
}

public protocol UIViewRepresentable: View where Body == Never {
    associatedtype UIViewType: UIView
    associatedtype Coordinator = Void
    typealias Context = UIViewRepresentableContext<Self>
    @MainActor func makeUIView(context: Context) -> UIViewType
    @MainActor func updateUIView(_ uiView: UIViewType, context: Context)
    @MainActor static func dismantleUIView(_ uiView: UIViewType, coordinator: Coordinator)
    @MainActor func makeCoordinator() -> Coordinator
}

extension UIViewRepresentable {
    public var body: Never { fatalError("stub") }
}

// MARK: Modifiers

public enum AccessibilityChildBehavior { case ignore, contain, combine }

extension View {
    public func padding() -> ModifiedContent<Self> { fatalError("stub") }
    public func font(_ font: Font?) -> ModifiedContent<Self> { fatalError("stub") }
    public func foregroundColor(_ color: Color?) -> ModifiedContent<Self> { fatalError("stub") }
    public func frame(width: CGFloat? = nil, height: CGFloat? = nil) -> ModifiedContent<Self> { fatalError("stub") }
    public func scaledToFit() -> ModifiedContent<Self> { fatalError("stub") }
    public func tag<V: Hashable>(_ tag: V) -> ModifiedContent<Self> { fatalError("stub") }
    public func tabItem<V: View>(@ViewBuilder _ label: () -> V) -> ModifiedContent<Self> { fatalError("stub") }
    public func accessibilityLabel<S: StringProtocol>(_ label: S) -> ModifiedContent<Self> { fatalError("stub") }
    public func accessibilityElement(children: AccessibilityChildBehavior = .ignore) -> ModifiedContent<Self> { fatalError("stub") }
    public func buttonStyle<S: PrimitiveButtonStyle>(_ style: S) -> ModifiedContent<Self> { fatalError("stub") }
    public func environmentObject<T: ObservableObject>(_ object: T) -> ModifiedContent<Self> { fatalError("stub") }
    public func onAppear(perform action: (() -> Void)? = nil) -> ModifiedContent<Self> { fatalError("stub") }
    public func onChange<V: Equatable>(of value: V, perform action: @escaping (V) -> Void) -> ModifiedContent<Self> { fatalError("stub") }
    public func task<T: Equatable>(id value: T, priority: TaskPriority = .userInitiated, _ action: @escaping @Sendable () async -> Void) -> ModifiedContent<Self> { fatalError("stub") }
    public func onReceive<P: Publisher>(_ publisher: P, perform action: @escaping (P.Output) -> Void) -> ModifiedContent<Self> where P.Failure == Never { fatalError("stub") }
}
