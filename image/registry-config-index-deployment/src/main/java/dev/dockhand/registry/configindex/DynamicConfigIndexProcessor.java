package dev.dockhand.registry.configindex;

import apicurio.common.app.components.config.index.DynamicPropertiesInfoRecorder;
import io.apicurio.common.apps.config.Dynamic;
import io.apicurio.common.apps.config.DynamicConfigPropertyDef;
import io.apicurio.common.apps.config.DynamicConfigPropertyList;
import io.quarkus.arc.deployment.BeanDiscoveryFinishedBuildItem;
import io.quarkus.arc.deployment.SyntheticBeanBuildItem;
import io.quarkus.arc.processor.InjectionPointInfo;
import io.quarkus.deployment.annotations.BuildProducer;
import io.quarkus.deployment.annotations.BuildStep;
import io.quarkus.deployment.annotations.ExecutionTime;
import io.quarkus.deployment.annotations.Record;
import io.quarkus.deployment.builditem.FeatureBuildItem;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.jandex.AnnotationInstance;
import org.jboss.jandex.AnnotationTarget;
import org.jboss.jandex.AnnotationValue;
import org.jboss.jandex.DotName;
import org.jboss.jandex.MethodParameterInfo;
import org.jboss.jandex.Type;

/**
 * Build step of the registry's config-index extension, whose own deployment module Maven Central
 * does not serve.
 *
 * <p>The registry injects a {@link DynamicConfigPropertyList} bean that lists every configuration
 * property an administrator may change at run time: each is a {@code Supplier<T>} injection point
 * carrying both {@code @ConfigProperty} and {@code @Dynamic}. Only a build step can see all
 * injection points, so the list is collected here from bean discovery and handed to the runtime
 * module's recorder, which makes the bean at startup. Without this step the app fails to start
 * with {@code Unsatisfied dependency ... DynamicConfigPropertyList}.
 */
class DynamicConfigIndexProcessor {

    private static final DotName CONFIG_PROPERTY = DotName.createSimple(ConfigProperty.class.getName());
    private static final DotName DYNAMIC = DotName.createSimple(Dynamic.class.getName());

    @BuildStep
    FeatureBuildItem feature() {
        return new FeatureBuildItem("config-index");
    }

    @BuildStep
    @Record(ExecutionTime.RUNTIME_INIT)
    void dynamicConfigPropertyList(
            DynamicPropertiesInfoRecorder recorder,
            BeanDiscoveryFinishedBuildItem beanDiscovery,
            BuildProducer<SyntheticBeanBuildItem> syntheticBeans) {
        List<DynamicConfigPropertyDef> defs = new ArrayList<>();
        for (InjectionPointInfo point : beanDiscovery.getInjectionPoints()) {
            AnnotationInstance configProperty = point.getRequiredQualifier(CONFIG_PROPERTY);
            AnnotationInstance dynamic = dynamicAnnotation(point);
            if (configProperty != null && dynamic != null) {
                defs.add(definition(point, configProperty, dynamic));
            }
        }
        syntheticBeans.produce(SyntheticBeanBuildItem.configure(DynamicConfigPropertyList.class)
                .runtimeValue(recorder.initializePropertiesInfo(defs))
                .unremovable()
                .setRuntimeInit()
                .done());
    }

    /** {@code @Dynamic} is not a qualifier, so look for it on the injected field or parameter. */
    private static AnnotationInstance dynamicAnnotation(InjectionPointInfo point) {
        AnnotationInstance qualifier = point.getRequiredQualifier(DYNAMIC);
        if (qualifier != null) {
            return qualifier;
        }
        AnnotationTarget target = point.getTarget();
        if (target.kind() == AnnotationTarget.Kind.FIELD) {
            return target.asField().annotation(DYNAMIC);
        }
        if (target.kind() == AnnotationTarget.Kind.METHOD) {
            int position = point.getPosition();
            for (AnnotationInstance annotation : target.asMethod().annotations(DYNAMIC)) {
                AnnotationTarget on = annotation.target();
                if (on.kind() == AnnotationTarget.Kind.METHOD_PARAMETER) {
                    MethodParameterInfo parameter = on.asMethodParameter();
                    if (parameter.position() == position) {
                        return annotation;
                    }
                }
            }
        }
        return null;
    }

    private static DynamicConfigPropertyDef definition(
            InjectionPointInfo point, AnnotationInstance configProperty, AnnotationInstance dynamic) {
        String name = configProperty.value("name").asString();
        AnnotationValue defaultValue = configProperty.value("defaultValue");
        if (defaultValue == null) {
            // The registry falls back to the default when no dynamic value is stored.
            throw new IllegalStateException("Dynamic configuration property '" + name
                    + "' (" + point.getTargetInfo() + ") needs a defaultValue in its @ConfigProperty");
        }
        Type required = point.getRequiredType();
        if (required.kind() != Type.Kind.PARAMETERIZED_TYPE) {
            throw new IllegalStateException("Dynamic configuration property '" + name
                    + "' (" + point.getTargetInfo() + ") must be injected as Supplier<T>, not " + required);
        }
        String valueType = required.asParameterizedType().arguments().get(0).name().toString();
        DynamicConfigPropertyDef def = new DynamicConfigPropertyDef(name, load(valueType, name), defaultValue.asString());
        AnnotationValue label = dynamic.value("label");
        if (label != null) {
            def.setLabel(label.asString());
        }
        AnnotationValue description = dynamic.value("description");
        if (description != null) {
            def.setDescription(description.asString());
        }
        AnnotationValue requires = dynamic.value("requires");
        if (requires != null) {
            def.setRequires(requires.asStringArray());
        }
        return def;
    }

    private static Class<?> load(String className, String property) {
        try {
            return Class.forName(className, false, Thread.currentThread().getContextClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("Dynamic configuration property '" + property
                    + "' has value type " + className + ", which the build cannot load", e);
        }
    }
}
